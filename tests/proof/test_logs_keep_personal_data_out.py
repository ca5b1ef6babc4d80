"""No child's name, date of birth, offence or custody record number in any log record at INFO,
while a child is booked in and walked through every event, by the API and by the pages."""
import logging

import pytest

from tests.conftest import booking, csrf_token_from

CHILD = {"forename": "Zephyrine", "surname": "Quarrington", "date_of_birth": "2010-02-19",
         "offence": "Criminal damage to a bus shelter", "custody_record_number": "DU-26-777555"}
PERSONAL = ["Zephyrine", "Quarrington", "2010-02-19", "19/02/2010", "bus shelter", "DU-26-777555",
            "Xanthe", "Ravensworth", "DU-26-888111"]


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def _walk_events_through_the_api(api, inspector, detention_id):
    base = f"/api/v1/detentions/{detention_id}"
    calls = [
        (api, f"{base}/welfare-notification", {"person_name": "Ann Quarrington", "relationship": "mother"}),
        (api, f"{base}/aa-requests", {"aa_type": "aa_scheme", "contact_name": "Scheme"}),
        (inspector, f"{base}/reviews", {"reviewer_name": "Insp Khan", "kind": "pre_charge", "mode": "in_person",
                                        "child_seen": True, "outcome": "continue_detention"}),
        (api, f"{base}/referrals", {"service": "childrens_social_care", "reason": "Zephyrine is looked after"}),
        (api, f"{base}/strip-searches", {"aa_present": True, "reason": "Item concealed"}),
        (api, f"{base}/charge", {"offences": "Criminal damage to a bus shelter", "bail": "refused",
                                 "refusal_grounds": "Further offences"}),
        (api, f"{base}/accommodation-requests", {"type": "non_secure", "local_authority": "Durham"}),
        (api, f"{base}/certificate", {"ground": "impracticable", "reasons": "Zephyrine: no transport",
                                      "issued_by": "Sgt Price"}),
        (inspector, f"{base}/certificate/approval", {"approved_by": "Insp Khan"}),
    ]
    for caller, url, body in calls:
        response = caller.post(url, json=body)
        assert response.status_code in (200, 201), (url, response.json)
    record = api.get(base).json
    aa_request = record["aa_requests"][0]["id"]
    assert api.post(f"/api/v1/aa-requests/{aa_request}/arrival", json={"aa_name": "Volunteer"}).status_code == 200
    accommodation = record["accommodation_requests"][0]["id"]
    assert api.post(f"/api/v1/accommodation-requests/{accommodation}/response",
                    json={"la_response": "no_bed"}).status_code == 200
    assert api.patch(base, json={"surname": "Ravensworth", "amend_reason": "Spelling"}).status_code == 200
    assert api.post("/api/v1/detentions", json=booking(**CHILD)).status_code == 409  # a refusal, too
    assert api.get("/api/v1/detentions?status=in_custody").status_code == 200
    assert api.post(f"{base}/release", json={"outcome": "kept_for_court"}).status_code == 200


def _walk_the_pages(client):
    form = csrf_token_from(client.get("/detentions/new").get_data(as_text=True))
    booked = client.post("/detentions/new", data={
        "csrf_token": form, "suite": "DUR", "forename": "Xanthe", "surname": "Ravensworth",
        "date_of_birth": "19/02/2010", "offence": "Criminal damage to a bus shelter",
        "custody_record_number": "DU-26-888111"})
    assert booked.status_code == 302, booked.get_data(as_text=True)
    record_url = booked.headers["Location"]
    assert client.get(record_url).status_code == 200
    assert client.get("/").status_code == 200
    amend_page = client.get(f"{record_url}/amend").get_data(as_text=True)
    amended = client.post(f"{record_url}/amend", data={  # every field, as the form sends them
        "csrf_token": csrf_token_from(amend_page), "forename": "Xanthe", "surname": "Ravensworth",
        "custody_record_number": "DU-26-888111", "offence": "Criminal damage to a bus shelter (two)",
        "arresting_officer": "", "sex": "", "ethnicity": "", "date_of_birth": "19/02/2010",
        "amend_reason": "Second count"})
    assert amended.status_code == 302, amended.get_data(as_text=True)
    welfare_page = client.get(f"{record_url}/welfare-notification").get_data(as_text=True)
    welfare = client.post(f"{record_url}/welfare-notification", data={
        "csrf_token": csrf_token_from(welfare_page), "person_name": "Ann Ravensworth", "relationship": "mother"})
    assert welfare.status_code == 302, welfare.get_data(as_text=True)
    refused = client.post("/detentions/new", data={"csrf_token": form, "suite": "DUR", "forename": "Xanthe",
                                                   "surname": "Ravensworth", "date_of_birth": "19/02/2000"})
    assert refused.status_code == 422


def test_no_personal_data_is_logged_at_info(logs, api, api_as, login):
    child = api.post("/api/v1/detentions", json=booking(**CHILD))
    assert child.status_code == 201
    _walk_events_through_the_api(api, api_as("inspector"), child.json["id"])
    _walk_the_pages(login("sergeant"))

    assert any(r.name == "app" for r in logs.records), "the capture must see the app's own log records"
    for record in logs.records:
        text = record.getMessage() + (record.exc_text or "")
        leaked = [item for item in PERSONAL if item in text]
        assert not leaked, f"{record.name} {record.levelname}: {text!r} carries {leaked}"
