"""Booking a child in through the API: what is computed, what is refused (SPEC §3, §5)."""
import pytest
from sqlalchemy import func, select

from core.db import db
from custody.audit import AuditEvent
from custody.models import Detention
from tests.conftest import booking


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_booking_computes_reference_age_and_pace_times(api):
    body = api.post("/api/v1/detentions", json=booking(arrested_at="2026-11-28T09:15:00Z")).json
    assert body["reference"] == "DUR-2026-00001"
    assert body["age"] == 17
    assert body["status"] == "in_custody"
    assert body["relevant_time"] == "2026-11-28T10:00:00Z"  # arrival, as it came before arrest + 24 h
    assert body["detention_limit_at"] == "2026-11-29T10:00:00Z"
    assert body["detention_authorised_at"] == body["arrived_at"]
    assert len(body["sms_code"]) == 4 and body["sms_code"].isdigit()


def test_relevant_time_is_arrest_plus_24h_when_that_is_earlier(api, clock):
    body = api.post("/api/v1/detentions", json=booking(arrested_at="2026-11-27T08:00:00Z",
                                                       arrived_at="2026-11-28T11:00:00Z")).json
    assert body["relevant_time"] == "2026-11-28T08:00:00Z"
    assert body["detention_limit_at"] == "2026-11-29T08:00:00Z"


def test_references_are_sequential_per_suite_and_year(api):
    first = api.post("/api/v1/detentions", json=booking(custody_record_number=None)).json
    second = api.post("/api/v1/detentions", json=booking(custody_record_number=None)).json
    other = api.post("/api/v1/detentions", json=booking(suite="PET", custody_record_number=None)).json
    last_year = api.post("/api/v1/detentions", json=booking(arrived_at="2025-12-31T23:30:00Z",
                                                            custody_record_number=None)).json
    assert [first["reference"], second["reference"], other["reference"], last_year["reference"]] == \
        ["DUR-2026-00001", "DUR-2026-00002", "PET-2026-00001", "DUR-2025-00001"]
    assert first["sms_code"] != second["sms_code"]


def test_reference_year_is_the_local_year_of_arrival(api):
    # 23:30 UTC on 31 December is still 2025 in London (GMT), but 00:30 on 1 January in Paris time.
    body = api.post("/api/v1/detentions", json=booking(arrived_at="2025-12-31T23:30:00Z")).json
    assert body["reference"].startswith("DUR-2025-")


def test_apparent_age_is_used_without_a_date_of_birth(api):
    body = api.post("/api/v1/detentions", json=booking(date_of_birth=None, apparent_age=15)).json
    assert body["age"] == 15 and body["date_of_birth"] is None


def test_age_is_whole_years_on_the_local_day_of_arrival(api):
    # Born 28 Nov 2008: 18 on 28 Nov 2026 - but arrival at 23:30 UTC on the 27th is still the 27th.
    body = api.post("/api/v1/detentions", json=booking(date_of_birth="2008-11-28",
                                                       arrived_at="2026-11-27T23:30:00Z"))
    assert body.status_code == 201 and body.json["age"] == 17


@pytest.mark.parametrize("overrides,field,words", [
    ({"date_of_birth": "2008-11-28"}, "date_of_birth", "18 at arrival"),
    ({"date_of_birth": None, "apparent_age": 19}, "apparent_age", "aged 18 or over"),
    ({"date_of_birth": "2017-01-01"}, "date_of_birth", "under 10 cannot be arrested"),
])
def test_adults_and_under_10s_are_refused_with_the_reason(api, overrides, field, words):
    audited = count(AuditEvent)  # the personas' own creation
    response = api.post("/api/v1/detentions", json=booking(**overrides))
    assert response.status_code == 422
    assert words in response.json["error"]["fields"][field][0]
    assert count(Detention) == 0 and count(AuditEvent) == audited


def test_a_booking_needs_a_date_of_birth_or_apparent_age(api):
    response = api.post("/api/v1/detentions", json=booking(date_of_birth=None))
    assert response.status_code == 422
    assert "apparent age" in response.json["error"]["fields"]["date_of_birth"][0]


@pytest.mark.parametrize("overrides,field", [
    ({"arrived_at": "2026-11-28T12:05:00Z"}, "arrived_at"),                        # future
    ({"arrived_at": "2026-11-28T10:00:00"}, "arrived_at"),                          # no offset
    ({"arrested_at": "2026-11-28T10:30:00Z"}, "arrested_at"),                       # arrest after arrival
    ({"detention_authorised_at": "2026-11-28T09:00:00Z"}, "detention_authorised_at"),
    ({"needs": ["homesick"]}, "needs"),
    ({"suite": "XXX"}, "suite"),
    ({"forename": ""}, "forename"),
    ({"nickname": "JJ"}, "nickname"),                                               # unknown field
])
def test_bad_bookings_are_refused_and_change_nothing(api, overrides, field):
    response = api.post("/api/v1/detentions", json=booking(**overrides))
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert response.json["error"]["code"] == "validation_error"
    assert count(Detention) == 0


def test_a_custody_record_number_is_unique_per_suite(api):
    assert api.post("/api/v1/detentions", json=booking()).status_code == 201
    again = api.post("/api/v1/detentions", json=booking())
    assert again.status_code == 409
    assert "custody_record_number" in again.json["error"]["fields"]
    assert api.post("/api/v1/detentions", json=booking(suite="DAR")).status_code == 201


def test_list_filters_by_status_and_suite(api):
    api.post("/api/v1/detentions", json=booking(custody_record_number=None))
    peterlee = api.post("/api/v1/detentions", json=booking(suite="PET", custody_record_number=None)).json
    api.post(f"/api/v1/detentions/{peterlee['id']}/release", json={"outcome": "bail"})
    assert [d["suite"] for d in api.get("/api/v1/detentions?suite=PET").json] == ["PET"]
    assert [d["suite"] for d in api.get("/api/v1/detentions?status=in_custody").json] == ["DUR"]
    assert api.get("/api/v1/detentions?status=gone").status_code == 422


def test_an_amendment_needs_a_reason_and_is_audited(api):
    created = api.post("/api/v1/detentions", json=booking()).json
    url = f"/api/v1/detentions/{created['id']}"
    refused = api.patch(url, json={"surname": "Elis"})
    assert refused.status_code == 422 and "amend_reason" in refused.json["error"]["fields"]
    amended = api.patch(url, json={"surname": "Ellison", "amend_reason": "Spelling confirmed by mother"})
    assert amended.status_code == 200 and amended.json["surname"] == "Ellison"
    entry = amended.json["timeline"][-1]
    assert entry["action"] == "amended" and entry["recorded_by"] == "sgt_price"
    assert entry["before"] == {"surname": "Ellis"} and entry["after"] == {"surname": "Ellison"}
    assert entry["reason"] == "Spelling confirmed by mother"


def test_amending_the_date_of_birth_recomputes_age_and_refuses_an_adult(api):
    created = api.post("/api/v1/detentions", json=booking()).json
    url = f"/api/v1/detentions/{created['id']}"
    younger = api.patch(url, json={"date_of_birth": "2011-06-01", "amend_reason": "Birth certificate seen"})
    assert younger.json["age"] == 15
    adult = api.patch(url, json={"date_of_birth": "2000-01-01", "amend_reason": "Wrong person"})
    assert adult.status_code == 422
    assert api.get(url).json["age"] == 15


def test_arrival_cannot_be_amended_past_recorded_events(api):
    created = api.post("/api/v1/detentions", json=booking()).json
    api.post(f"/api/v1/detentions/{created['id']}/referrals", json={"service": "health",
                                                                    "made_at": "2026-11-28T10:30:00Z"})
    response = api.patch(f"/api/v1/detentions/{created['id']}",
                         json={"arrived_at": "2026-11-28T11:00:00Z", "amend_reason": "Typo"})
    assert response.status_code == 422 and "arrived_at" in response.json["error"]["fields"]


def test_there_is_no_way_to_delete_a_detention(api, app):
    created = api.post("/api/v1/detentions", json=booking()).json
    assert api.delete(f"/api/v1/detentions/{created['id']}").status_code == 405
    deleting_routes = [r.rule for r in app.url_map.iter_rules()
                       if "DELETE" in r.methods and "detention" in r.rule]
    assert deleting_routes == []


def test_audit_events_cannot_be_rewritten(api, app):
    from custody.audit import AuditRewriteError
    api.post("/api/v1/detentions", json=booking())
    event = db.session.scalar(select(AuditEvent))
    event.reason = "tampered"
    with pytest.raises(AuditRewriteError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditEvent)))
    with pytest.raises(AuditRewriteError):
        db.session.flush()
    db.session.rollback()


def test_the_record_nests_every_section(api):
    created = api.post("/api/v1/detentions", json=booking()).json
    record = api.get(f"/api/v1/detentions/{created['id']}").json
    for key in ("aa_requests", "welfare_notification", "reviews", "referrals", "charge", "accommodation_requests",
                "certificate", "strip_searches", "messages", "clocks", "timeline"):
        assert key in record
    assert set(record["clocks"]) >= {"aa_wait_minutes", "next_review_due_at", "review_overdue", "detention_limit_at"}
    assert record["clocks"]["aa_wait_minutes"] == 120.0


def test_the_booking_answers_with_the_record_as_stored(api):
    """The booking's answer is built from what it wrote, without reading it back: it must be
    exactly what reading the record afterwards gives."""
    created = api.post("/api/v1/detentions", json=booking(needs=["self_harm", "mental_health"],
                                                          arrested_at="2026-11-28T09:15:00Z")).json
    assert created == api.get(f"/api/v1/detentions/{created['id']}").json
    assert [entry["action"] for entry in created["timeline"]] == ["booked_in"]
    assert created["timeline"][0]["recorded_by"] == "sgt_price"
    assert created["needs"] == ["mental_health", "self_harm"] and created["referral_to_consider"] is True


def test_unknown_detention_is_a_json_404(api):
    response = api.get("/api/v1/detentions/999")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_correcting_the_surname_in_the_form_leaves_the_arrival_alone(api, login):
    from tests.conftest import csrf_token_from
    created = api.post("/api/v1/detentions", json=booking(arrived_at="2026-11-28T10:00:30Z")).json
    client = login("sergeant")
    page = client.get(f"/detentions/{created['id']}/amend").get_data(as_text=True)
    values = {"forename": "Jordan", "surname": "Ellison", "date_of_birth": "14/03/2009",
              "arrived_at_date": "28/11/2026", "arrived_at_time": "10:00",  # as the form shows it
              "custody_record_number": "DU-26-000123", "offence": "Theft", "arresting_officer": "PC 1234 Hart",
              "amend_reason": "Spelling confirmed", "csrf_token": csrf_token_from(page)}
    assert 'value="10:00"' in page
    assert client.post(f"/detentions/{created['id']}/amend", data=values).status_code == 302
    record = api.get(f"/api/v1/detentions/{created['id']}").json
    assert record["surname"] == "Ellison" and record["arrived_at"] == "2026-11-28T10:00:30Z"
    assert record["timeline"][-1]["after"] == {"surname": "Ellison"}


def test_a_correction_without_the_arrival_fields_keeps_the_arrival(api, login):
    from tests.conftest import csrf_token_from
    created = api.post("/api/v1/detentions", json=booking(arrived_at="2026-11-28T10:00:30Z")).json
    client = login("sergeant")
    page = client.get(f"/detentions/{created['id']}/amend").get_data(as_text=True)
    values = {"forename": "Jordan", "surname": "Ellis", "date_of_birth": "14/03/2009", "offence": "Theft (two)",
              "custody_record_number": "DU-26-000123", "arresting_officer": "PC 1234 Hart",
              "arrived_at_date": "", "amend_reason": "Second count", "csrf_token": csrf_token_from(page)}
    assert client.post(f"/detentions/{created['id']}/amend", data=values).status_code == 302
    record = api.get(f"/api/v1/detentions/{created['id']}").json
    assert record["offence"] == "Theft (two)" and record["arrived_at"] == "2026-11-28T10:00:30Z"
    assert record["timeline"][-1]["after"] == {"offence": "Theft (two)"}


def test_a_text_code_taken_at_the_same_moment_is_chosen_again_not_refused(api, monkeypatch):
    """Two bookings can pick the same free code between the check and the insert; the second
    gets another code instead of a 409 the sergeant can do nothing about."""
    from custody import booking as booking_service
    first = api.post("/api/v1/detentions", json=booking()).json
    codes = iter([first["sms_code"], "0000" if first["sms_code"] != "0000" else "0001"])
    monkeypatch.setattr(booking_service, "new_sms_code", lambda session: next(codes))
    second = api.post("/api/v1/detentions", json=booking(custody_record_number="DU-26-000999", surname="Lowe"))
    assert second.status_code == 201, second.json
    assert second.json["sms_code"] != first["sms_code"]
    assert second.json["reference"] == "DUR-2026-00002" and count(Detention) == 2


def test_a_record_number_taken_at_the_same_moment_is_a_409_naming_it(api, monkeypatch):
    from custody import booking as booking_service
    api.post("/api/v1/detentions", json=booking())
    monkeypatch.setattr(booking_service, "_check_record_number", lambda *args, **kwargs: None)
    clash = api.post("/api/v1/detentions", json=booking(surname="Lowe"))  # the same record number
    assert clash.status_code == 409 and count(Detention) == 1
