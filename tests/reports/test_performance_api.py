import pytest


def test_without_dates_the_pack_is_the_last_complete_fortnight(api_as, clock):
    # The default clock is Saturday 28 Nov 2026: the last whole Monday-to-Sunday fortnight is 9-22 Nov.
    pack = api_as("manager").get("/api/v1/reports/performance").json
    assert (pack["from"], pack["to"]) == ("2026-11-09", "2026-11-22")
    assert (pack["previous_period"]["from"], pack["previous_period"]["to"]) == ("2026-10-26", "2026-11-08")


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-11-10", "to": "2026-11-09"}, "from"),
    ({"from": "2026-13-01", "to": "2026-11-09"}, "from"),
    ({"from": "2026-11-01", "to": "09/11/2026"}, "to"),
    ({"from": "2026-11-01"}, "to"),
    ({"from": "2025-01-01", "to": "2026-11-01"}, "to"),
    ({"from": "2026-11-01", "to": "2026-11-14", "suite": "XYZ"}, "suite"),
])
def test_a_period_or_suite_that_cannot_be_reported_is_refused_naming_the_field(api_as, query, field):
    response = api_as("manager").get("/api/v1/reports/performance", query_string=query)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


@pytest.mark.parametrize("role", ["sergeant", "inspector", "manager", "admin"])
def test_every_role_may_read_the_pack(api_as, role):
    assert api_as(role).get("/api/v1/reports/performance").status_code == 200


def test_nobody_anonymous_may_read_the_pack(client):
    assert client.get("/api/v1/reports/performance").status_code == 401


def test_the_openapi_document_describes_the_pack(app):
    from core.extensions import api
    spec = api.spec.to_dict()
    operation = spec["paths"]["/api/v1/reports/performance"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "suite"}
    schema = spec["components"]["schemas"]["PerformancePack"]["properties"]
    for key in ("children_detained", "minutes_to_aa_arrival", "by_suite", "previous_period", "exceptions", "sms"):
        assert key in schema
