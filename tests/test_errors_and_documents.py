"""The error contract of SPEC §5, the OpenAPI document and /healthz."""


def test_malformed_json_is_a_400_with_the_contract_shape(api):
    response = api.client.post("/api/v1/detentions", data="{not json", headers={
        **api.headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert set(response.json["error"]) == {"code", "message", "fields"}


def test_wrong_types_name_each_field(api):
    response = api.post("/api/v1/detentions", json={"suite": "DUR", "forename": 7, "arrived_at": "yesterday",
                                                    "looked_after": "perhaps"})
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert {"forename", "arrived_at", "looked_after", "surname"} <= set(fields)
    assert all(isinstance(messages, list) and messages for messages in fields.values())


def test_no_token_is_a_401(client):
    response = client.get("/api/v1/detentions")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_a_wrong_token_is_a_401_not_a_fallback(client):
    response = client.get("/api/v1/detentions", headers={"Authorization": "Bearer jct_nonsense"})
    assert response.status_code == 401


def test_openapi_is_generated_from_the_schemas(api):
    document = api.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    booking_body = document["paths"]["/api/v1/detentions"]["post"]["requestBody"]["content"]["application/json"]
    schema_name = booking_body["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = document["components"]["schemas"][schema_name]["properties"]
    assert {"suite", "forename", "surname", "date_of_birth", "apparent_age", "arrived_at", "needs"} <= set(properties)
    assert "/api/v1/aa-requests/{aa_request_id}/arrival" in document["paths"]


def test_openapi_needs_a_login(client):
    assert client.get("/api/v1/openapi.json").status_code == 401


def test_healthz_is_public_and_says_nothing_personal(client, api):
    from tests.conftest import booking
    api.post("/api/v1/detentions", json=booking())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"
    assert "Ellis" not in response.get_data(as_text=True)


def test_security_headers_on_every_response(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
