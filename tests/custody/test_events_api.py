"""Recording each event of a child's custody through the API, and every refusal of SPEC §3."""
import pytest

from tests.conftest import booking

ARRIVED = "2026-11-28T10:00:00Z"


@pytest.fixture
def child(api):
    return api.post("/api/v1/detentions", json=booking(arrived_at=ARRIVED)).json


def record(api, detention_id):
    return api.get(f"/api/v1/detentions/{detention_id}").json


def refused(response, field, status=422):
    assert response.status_code == status, response.json
    assert field in response.json["error"]["fields"], response.json
    return response.json["error"]["fields"][field][0]


def test_welfare_notification_is_recorded_once(api, child):
    url = f"/api/v1/detentions/{child['id']}/welfare-notification"
    response = api.post(url, json={"informed_at": "2026-11-28T10:20:00Z", "person_name": "Ann Ellis",
                                   "relationship": "mother"})
    assert response.status_code == 201
    assert record(api, child["id"])["welfare_notification"]["relationship"] == "mother"
    assert api.post(url, json={"person_name": "Bob"}).status_code == 409


def test_aa_request_arrival_gives_the_wait(api, child, clock):
    request = api.post(f"/api/v1/detentions/{child['id']}/aa-requests",
                       json={"requested_at": "2026-11-28T10:30:00Z", "aa_type": "parent_guardian",
                             "contact_name": "Ann Ellis"}).json
    arrived = api.post(f"/api/v1/aa-requests/{request['id']}/arrival",
                       json={"arrived_at": "2026-11-28T11:45:00+00:00", "aa_name": "Ann Ellis"})
    assert arrived.status_code == 200
    assert arrived.json["arrived_at"] == "2026-11-28T11:45:00Z"
    assert record(api, child["id"])["clocks"]["aa_wait_minutes"] == 105.0


def test_aa_arrival_before_its_request_is_refused(api, child):
    request = api.post(f"/api/v1/detentions/{child['id']}/aa-requests",
                       json={"requested_at": "2026-11-28T11:00:00Z", "aa_type": "aa_scheme"}).json
    response = api.post(f"/api/v1/aa-requests/{request['id']}/arrival",
                        json={"arrived_at": "2026-11-28T10:59:00Z", "aa_name": "Volunteer"})
    assert "before they were requested" in refused(response, "arrived_at")
    assert record(api, child["id"])["aa_requests"][0]["arrived_at"] is None


def test_a_cancelled_request_cannot_then_arrive(api, child):
    request = api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "parent_guardian"}).json
    cancelled = api.post(f"/api/v1/aa-requests/{request['id']}/cancel", json={"reason": "Parent refused"})
    assert cancelled.status_code == 200 and cancelled.json["cancel_reason"] == "Parent refused"
    assert api.post(f"/api/v1/aa-requests/{request['id']}/arrival", json={"aa_name": "X"}).status_code == 409


@pytest.mark.parametrize("field,value,reason", [
    ("requested_at", "2026-11-28T09:59:00Z", "before the child arrived"),
    ("requested_at", "2026-11-28T12:03:00Z", "in the future"),
])
def test_event_times_outside_custody_are_refused(api, child, field, value, reason):
    response = api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={field: value, "aa_type": "aa_scheme"})
    assert reason in refused(response, field)
    assert record(api, child["id"])["aa_requests"] == []


def test_an_event_after_release_is_refused(api, child):
    api.post(f"/api/v1/detentions/{child['id']}/release",
             json={"released_at": "2026-11-28T11:00:00Z", "outcome": "no_further_action"})
    response = api.post(f"/api/v1/detentions/{child['id']}/referrals",
                        json={"service": "health", "made_at": "2026-11-28T11:30:00Z"})
    assert "after the child was released" in refused(response, "made_at")


def review_body(**overrides):
    body = {"held_at": "2026-11-28T11:30:00Z", "reviewer_name": "Insp Khan", "reviewer_rank": "Inspector",
            "kind": "pre_charge", "mode": "in_person", "child_seen": True, "aa_present": True,
            "outcome": "continue_detention", "rationale": "Enquiries continue"}
    body.update(overrides)
    return body


def test_review_is_recorded_by_an_inspector_with_its_due_time(api_as, child):
    response = api_as("inspector").post(f"/api/v1/detentions/{child['id']}/reviews", json=review_body())
    assert response.status_code == 201, response.json
    assert response.json["due_at"] == "2026-11-28T16:00:00Z"
    assert response.json["late"] is False
    assert record(api_as("inspector"), child["id"])["clocks"]["next_review_due_at"] == "2026-11-28T20:30:00Z"


def test_a_sergeant_cannot_record_a_review(api, child):
    assert api.post(f"/api/v1/detentions/{child['id']}/reviews", json=review_body()).status_code == 403


def test_a_review_held_after_its_due_time_is_late(api_as, child, clock):
    clock.advance(hours=8)
    response = api_as("inspector").post(f"/api/v1/detentions/{child['id']}/reviews",
                                        json=review_body(held_at="2026-11-28T16:30:00Z"))
    assert response.json["late"] is True


def test_a_remote_review_needs_a_reason(api_as, child):
    response = api_as("inspector").post(f"/api/v1/detentions/{child['id']}/reviews",
                                        json=review_body(mode="video"))
    assert "not held in the child's presence" in refused(response, "remote_reason")


def test_a_telephone_review_after_charge_is_refused(api_as, child):
    response = api_as("inspector").post(f"/api/v1/detentions/{child['id']}/reviews", json=review_body(
        kind="post_charge", mode="telephone", remote_reason="Night shift"))
    assert "s.40A" in refused(response, "mode")


def test_referral_to_consider_until_childrens_social_care_referral(api):
    child = api.post("/api/v1/detentions", json=booking(needs=["mental_health"])).json
    assert child["referral_to_consider"] is True
    api.post(f"/api/v1/detentions/{child['id']}/referrals", json={"service": "liaison_diversion"})
    assert record(api, child["id"])["referral_to_consider"] is True
    api.post(f"/api/v1/detentions/{child['id']}/referrals", json={"service": "childrens_social_care",
                                                                  "external_reference": "CSC-991"})
    assert record(api, child["id"])["referral_to_consider"] is False


def charge_refused(api, detention_id):
    return api.post(f"/api/v1/detentions/{detention_id}/charge", json={
        "charged_at": "2026-11-28T11:00:00Z", "offences": "Robbery", "bail": "refused",
        "refusal_grounds": "Risk of further offences"})


def test_bail_refusal_needs_grounds(api, child):
    response = api.post(f"/api/v1/detentions/{child['id']}/charge",
                        json={"offences": "Robbery", "bail": "refused"})
    assert "grounds" in refused(response, "refusal_grounds")


def test_accommodation_only_after_bail_is_refused(api, child):
    url = f"/api/v1/detentions/{child['id']}/accommodation-requests"
    body = {"type": "non_secure", "local_authority": "Durham County Council"}
    assert "after bail is refused" in refused(api.post(url, json=body), "type")
    assert charge_refused(api, child["id"]).status_code == 201
    assert api.post(url, json=body).status_code == 201


def test_secure_accommodation_for_a_child_under_12_is_refused(api):
    child = api.post("/api/v1/detentions", json=booking(date_of_birth="2015-01-01")).json
    charge_refused(api, child["id"])
    response = api.post(f"/api/v1/detentions/{child['id']}/accommodation-requests",
                        json={"type": "secure", "local_authority": "Durham County Council"})
    assert "under 12" in refused(response, "type")


def test_transfer_to_local_authority_accommodation(api, child):
    charge_refused(api, child["id"])
    request = api.post(f"/api/v1/detentions/{child['id']}/accommodation-requests", json={
        "requested_at": "2026-11-28T11:05:00Z", "type": "non_secure", "local_authority": "Durham CC"}).json
    response = api.post(f"/api/v1/accommodation-requests/{request['id']}/response", json={
        "responded_at": "2026-11-28T11:20:00Z", "la_response": "accepted",
        "transferred_at": "2026-11-28T11:50:00Z"})
    assert response.status_code == 200
    assert response.json["transferred_at"] == "2026-11-28T11:50:00Z"


def test_transfer_needs_an_accepted_response(api, child):
    charge_refused(api, child["id"])
    request = api.post(f"/api/v1/detentions/{child['id']}/accommodation-requests",
                       json={"type": "non_secure", "local_authority": "Durham CC",
                             "requested_at": "2026-11-28T11:05:00Z"}).json
    response = api.post(f"/api/v1/accommodation-requests/{request['id']}/response", json={
        "responded_at": "2026-11-28T11:20:00Z", "la_response": "no_bed", "transferred_at": "2026-11-28T11:50:00Z"})
    assert "accepted" in refused(response, "transferred_at")


def _la_request(api, child):
    charge_refused(api, child["id"])
    return api.post(f"/api/v1/detentions/{child['id']}/accommodation-requests", json={
        "requested_at": "2026-11-28T11:05:00Z", "type": "non_secure", "local_authority": "Durham CC"}).json


def test_a_transfer_after_an_acceptance_is_recorded_later(api, child):
    url = f"/api/v1/accommodation-requests/{_la_request(api, child)['id']}/response"
    assert api.post(url, json={"responded_at": "2026-11-28T11:20:00Z", "la_response": "accepted"}).status_code == 200
    assert "before the response" in refused(api.post(url, json={"transferred_at": "2026-11-28T11:10:00Z"}),
                                            "transferred_at")
    assert "transferred" in refused(api.post(url, json={}), "transferred_at")
    changed = api.post(url, json={"la_response": "no_bed", "transferred_at": "2026-11-28T11:50:00Z"})
    assert "already recorded" in refused(changed, "la_response", status=409)
    assert record(api, child["id"])["accommodation_requests"][0]["transferred_at"] is None  # nothing written

    response = api.post(url, json={"transferred_at": "2026-11-28T11:50:00Z"})
    assert response.status_code == 200, response.json
    assert response.json["la_response"] == "accepted" and response.json["responded_at"] == "2026-11-28T11:20:00Z"
    assert response.json["transferred_at"] == "2026-11-28T11:50:00Z"
    assert record(api, child["id"])["timeline"][-1]["after"] == {"transferred_at": "2026-11-28T11:50:00Z"}
    assert api.post(url, json={"transferred_at": "2026-11-28T11:55:00Z"}).status_code == 409


def test_no_transfer_after_a_refusal_and_a_response_needs_its_answer(api, child):
    url = f"/api/v1/accommodation-requests/{_la_request(api, child)['id']}/response"
    assert "response" in refused(api.post(url, json={"responded_at": "2026-11-28T11:20:00Z"}), "la_response")
    assert api.post(url, json={"responded_at": "2026-11-28T11:20:00Z", "la_response": "no_bed"}).status_code == 200
    refusal = api.post(url, json={"transferred_at": "2026-11-28T11:50:00Z"})
    assert refusal.status_code == 409 and "no bed" in refusal.json["error"]["message"]


def certificate_body(**overrides):
    body = {"ground": "impracticable", "reasons": "Roads closed by snow; no transport possible",
            "issued_by": "Sgt Price"}
    body.update(overrides)
    return body


def test_no_secure_accommodation_ground_needs_a_secure_request(api, child):
    charge_refused(api, child["id"])
    url = f"/api/v1/detentions/{child['id']}/certificate"
    response = api.post(url, json=certificate_body(ground="no_secure_accommodation"))
    assert "secure accommodation request" in refused(response, "ground")
    api.post(f"/api/v1/detentions/{child['id']}/accommodation-requests",
             json={"type": "secure", "local_authority": "Durham CC"})
    assert api.post(url, json=certificate_body(ground="no_secure_accommodation")).status_code == 201


def test_no_secure_accommodation_ground_needs_age_12(api):
    child = api.post("/api/v1/detentions", json=booking(date_of_birth="2015-01-01")).json
    charge_refused(api, child["id"])
    response = api.post(f"/api/v1/detentions/{child['id']}/certificate",
                        json=certificate_body(ground="no_secure_accommodation"))
    assert "12 or over" in refused(response, "ground")


def test_certificate_is_approved_by_an_inspector(api, api_as, child):
    charge_refused(api, child["id"])
    api.post(f"/api/v1/detentions/{child['id']}/certificate", json=certificate_body())
    url = f"/api/v1/detentions/{child['id']}/certificate/approval"
    assert api.post(url, json={"approved_by": "Sgt Price"}).status_code == 403
    response = api_as("inspector").post(url, json={"approved_by": "Insp Khan"})
    assert response.status_code == 200 and response.json["approved_by"] == "Insp Khan"


def test_strip_search_without_aa_needs_the_urgent_reason(api, child):
    url = f"/api/v1/detentions/{child['id']}/strip-searches"
    response = api.post(url, json={"aa_present": False, "reason": "Concealed blade suspected"})
    assert "urgent" in refused(response, "urgent_without_aa_reason")
    ok = api.post(url, json={"aa_present": False, "reason": "Concealed blade suspected",
                             "urgent_without_aa_reason": "Immediate risk of self-harm"})
    assert ok.status_code == 201


def test_release_closes_the_custody(api, child):
    response = api.post(f"/api/v1/detentions/{child['id']}/release", json={"outcome": "released_under_investigation"})
    assert response.status_code == 200
    assert response.json["status"] == "released"
    assert response.json["release"]["outcome"] == "released_under_investigation"
    assert response.json["clocks"]["next_review_due_at"] is None
    assert api.post(f"/api/v1/detentions/{child['id']}/release", json={"outcome": "bail"}).status_code == 409


def test_release_before_a_recorded_event_is_refused(api, child):
    api.post(f"/api/v1/detentions/{child['id']}/referrals", json={"service": "health", "made_at": "2026-11-28T11:00:00Z"})
    response = api.post(f"/api/v1/detentions/{child['id']}/release",
                        json={"released_at": "2026-11-28T10:30:00Z", "outcome": "bail"})
    assert "Events are recorded after" in refused(response, "released_at")


def test_every_event_lands_on_the_timeline(api, child):
    api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "aa_scheme"})
    api.post(f"/api/v1/detentions/{child['id']}/referrals", json={"service": "health"})
    actions = [(e["entity"], e["action"]) for e in record(api, child["id"])["timeline"]]
    assert actions == [("detention", "booked_in"), ("aa_request", "requested"), ("referral", "recorded")]
