"""Fixtures for the proof tests: records to aim generated requests at, tokens for every role."""
import pytest

from tests.conftest import PERSONAS, booking


@pytest.fixture
def tokens(api_as):
    """A bearer token for each role."""
    return {role: api_as(role).headers["Authorization"].split(" ", 1)[1] for role in PERSONAS}


@pytest.fixture
def custody_records(api, api_as):
    """A few children at different stages, so event routes meet real records: {path parameter: ids}."""
    inspector = api_as("inspector")
    fresh = api.post("/api/v1/detentions", json=booking(custody_record_number=None)).json
    older = api.post("/api/v1/detentions", json=booking(
        forename="Casey", surname="Moore", custody_record_number=None, date_of_birth="2013-05-02",
        arrived_at="2026-11-27T20:00:00Z", needs=["mental_health"])).json
    aa = api.post(f"/api/v1/detentions/{older['id']}/aa-requests",
                  json={"aa_type": "aa_scheme", "requested_at": "2026-11-27T20:30:00Z"}).json
    charged = api.post("/api/v1/detentions", json=booking(
        forename="Riley", surname="Shaw", custody_record_number=None, apparent_age=15,
        date_of_birth=None, arrived_at="2026-11-28T06:00:00Z")).json
    inspector.post(f"/api/v1/detentions/{charged['id']}/charge", json={
        "charged_at": "2026-11-28T08:00:00Z", "offences": "Robbery", "bail": "refused",
        "refusal_grounds": "Risk of further offences"})
    accommodation = api.post(f"/api/v1/detentions/{charged['id']}/accommodation-requests", json={
        "requested_at": "2026-11-28T08:10:00Z", "type": "secure", "local_authority": "Durham"}).json
    contact = api_as("admin").post("/api/v1/contacts", json={
        "suite": "DUR", "role": "aa_scheme", "name": "Durham AA scheme", "phone": "+447700900123"}).json
    return {"detention_id": [fresh["id"], older["id"], charged["id"]], "aa_request_id": [aa["id"]],
            "request_id": [accommodation["id"]], "code": ["DUR", "dar"], "contact_id": [contact["id"]]}


@pytest.fixture
def known_values():
    """Body values that pass the first rules: a real suite, times in custody, a child's birthday.
    None in a list means null is valid there too (and may be swapped for a value)."""
    return {"suite": ["DUR", "pet"], "arrived_at": ["2026-11-28T09:00:00Z", "2026-11-28T11:59:00+00:00"],
            "date_of_birth": ["2010-06-01", None], "arrested_at": ["2026-11-28T08:30:00Z", None],
            "detention_authorised_at": ["2026-11-28T12:00:00Z", None]}


@pytest.fixture
def child_with_every_event(api, api_as):
    """One child with an open AA request, a charge with bail refused, an accommodation request and
    a certificate, so every page about an event has something to show: {path parameter: id}."""
    child = api.post("/api/v1/detentions", json=booking()).json
    base = f"/api/v1/detentions/{child['id']}"
    aa = api.post(f"{base}/aa-requests", json={"aa_type": "parent_guardian", "contact_name": "Ann Ellis"}).json
    api.post(f"{base}/charge", json={"offences": "Theft", "bail": "refused", "refusal_grounds": "Further offences"})
    accommodation = api.post(f"{base}/accommodation-requests", json={"type": "secure",
                                                                     "local_authority": "Durham"}).json
    api.post(f"{base}/certificate", json={"ground": "impracticable", "reasons": "No transport available",
                                          "issued_by": "Sgt Price"})
    # Both kinds of request are `request_id` in the page URLs; the first of each is 1.
    assert aa["id"] == accommodation["id"]
    contact = api_as("admin").post("/api/v1/contacts", json={
        "suite": "DUR", "role": "aa_scheme", "name": "Durham AA scheme", "phone": "+447700900123"}).json
    return {"detention_id": child["id"], "request_id": aa["id"], "suite_id": 1, "user_id": 1,
            "contact_id": contact["id"]}
