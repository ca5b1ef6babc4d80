"""Recording each event of a child's custody through the web forms on the record page.

Every form records its event with the API's own service; a refused form comes back with the
field's message (422) in the error summary and beside the field, and nothing is written.
The clock reads 12:00 on 28 November 2026 (GMT), so local times here are UTC.
"""
from dataclasses import dataclass, field
from html import unescape
from typing import Callable

import pytest

from tests.conftest import booking

CHARGED = {"charged_at": "2026-11-28T11:00:00Z", "offences": "Robbery", "bail": "refused",
           "refusal_grounds": "Risk of further offences"}


def record(api, detention_id):
    return api.get(f"/api/v1/detentions/{detention_id}").json


def at(time, date="28/11/2026", name=None):
    return {f"{name}_date": date, f"{name}_time": time}


def aa_requested(api, child):
    return api.post(f"/api/v1/detentions/{child['id']}/aa-requests",
                    json={"requested_at": "2026-11-28T10:30:00Z", "aa_type": "parent_guardian",
                          "contact_name": "Ann Ellis"}).json


def charged(api, child):
    api.post(f"/api/v1/detentions/{child['id']}/charge", json=CHARGED)


def accommodation_requested(api, child):
    charged(api, child)
    return api.post(f"/api/v1/detentions/{child['id']}/accommodation-requests",
                    json={"requested_at": "2026-11-28T11:05:00Z", "type": "non_secure",
                          "local_authority": "Durham County Council"}).json


def accepted(api, child):
    request = accommodation_requested(api, child)
    api.post(f"/api/v1/accommodation-requests/{request['id']}/response",
             json={"responded_at": "2026-11-28T11:20:00Z", "la_response": "accepted"})
    return request["id"]


def certified(api, child):
    charged(api, child)
    api.post(f"/api/v1/detentions/{child['id']}/certificate",
             json={"issued_at": "2026-11-28T11:10:00Z", "ground": "impracticable",
                   "reasons": "Snow has closed every road out of the town", "issued_by": "Sgt Price"})


@dataclass
class Form:
    """One web form: where it lives, a good and a bad filling-in, and what each leaves behind."""
    path: str                                    # under /detentions/<id>/, {target} for a request id
    good: dict
    recorded: Callable                           # (record) -> the thing the good form recorded
    bad: dict
    field: str
    message: str
    role: str = "sergeant"
    section: str = ""                            # the record's section the form returns to
    setup: Callable = lambda api, child: None    # returns the target (an AA or LA request) if any
    untouched: Callable = field(default=None)    # (record) -> what the bad form must leave as it was


FORMS = {
    "welfare": Form(
        "welfare-notification",
        {**at("10:20", name="informed_at"), "person_name": "Ann Ellis", "relationship": "mother"},
        lambda r: r["welfare_notification"]["informed_at"] == "2026-11-28T10:20:00Z"
        and r["welfare_notification"]["person_name"] == "Ann Ellis",
        {**at("10:20", name="informed_at"), "person_name": ""}, "person_name",
        "Enter the name of the person who was told", section="welfare",
        untouched=lambda r: r["welfare_notification"]),
    "aa_request": Form(
        "aa-requests/new",
        {**at("10:30", name="requested_at"), "aa_type": "aa_scheme", "contact_name": "Durham AA scheme"},
        lambda r: r["aa_requests"][0]["aa_type"] == "aa_scheme"
        and r["aa_requests"][0]["requested_at"] == "2026-11-28T10:30:00Z",
        {**at("10:30", name="requested_at"), "contact_name": "Someone"}, "aa_type",
        "Select who was asked to be the appropriate adult", section="appropriate-adults",
        untouched=lambda r: r["aa_requests"]),
    "aa_arrival": Form(
        "aa-requests/{target}/arrival",
        {**at("11:45", name="arrived_at"), "aa_name": "Ann Ellis"},
        lambda r: r["aa_requests"][0]["arrived_at"] == "2026-11-28T11:45:00Z"
        and r["clocks"]["aa_wait_minutes"] == 105.0,
        {**at("10:15", name="arrived_at"), "aa_name": "Ann Ellis"}, "arrived_at",
        "cannot arrive before they were requested", section="appropriate-adults",
        setup=lambda api, child: aa_requested(api, child)["id"],
        untouched=lambda r: r["aa_requests"][0]["arrived_at"]),
    "aa_cancel": Form(
        "aa-requests/{target}/cancel",
        {**at("11:00", name="cancelled_at"), "reason": "Mother refused to attend"},
        lambda r: r["aa_requests"][0]["cancel_reason"] == "Mother refused to attend",
        {**at("11:00", name="cancelled_at"), "reason": "  "}, "reason", "Say why the request is cancelled",
        section="appropriate-adults",
        setup=lambda api, child: aa_requested(api, child)["id"],
        untouched=lambda r: r["aa_requests"][0]["cancelled_at"]),
    "review": Form(
        "reviews/new",
        {**at("11:30", name="held_at"), "reviewer_name": "Insp Khan", "reviewer_rank": "Inspector",
         "kind": "pre_charge", "mode": "in_person", "child_seen": "yes", "aa_present": "yes",
         "solicitor_present": "no", "investigation_progress_considered": "yes",
         "outcome": "continue_detention", "rationale": "Enquiries continue"},
        lambda r: r["reviews"][0]["mode"] == "in_person" and r["reviews"][0]["child_seen"] is True
        and r["reviews"][0]["solicitor_present"] is False and r["reviews"][0]["held_at"] == "2026-11-28T11:30:00Z",
        {**at("11:30", name="held_at"), "reviewer_name": "Insp Khan", "kind": "pre_charge", "mode": "video",
         "child_seen": "yes", "outcome": "continue_detention"}, "remote_reason",
        "Say why the review was not held in the child's presence", role="inspector", section="reviews",
        untouched=lambda r: r["reviews"]),
    "referral": Form(
        "referrals/new",
        {**at("11:00", name="made_at"), "service": "childrens_social_care", "reason": "Exploitation concern",
         "external_reference": "CSC-991"},
        lambda r: r["referrals"][0]["external_reference"] == "CSC-991",
        {**at("11:00", name="made_at"), "reason": "No service picked"}, "service",
        "Select the service the child was referred to", section="referrals",
        untouched=lambda r: r["referrals"]),
    "charge": Form(
        "charge",
        {**at("11:00", name="charged_at"), "offences": "Robbery", "bail": "refused",
         "refusal_grounds": "Risk of further offences"},
        lambda r: r["charge"]["bail"] == "refused" and r["charge"]["charged_at"] == "2026-11-28T11:00:00Z",
        {**at("11:00", name="charged_at"), "offences": "Robbery", "bail": "refused"}, "refusal_grounds",
        "Give the grounds for refusing bail", section="charge", untouched=lambda r: r["charge"]),
    "accommodation_request": Form(
        "accommodation-requests/new",
        {**at("11:05", name="requested_at"), "type": "non_secure", "local_authority": "Durham County Council",
         "la_contact": "Emergency duty team"},
        lambda r: r["accommodation_requests"][0]["la_contact"] == "Emergency duty team",
        {**at("10:45", name="requested_at"), "type": "non_secure", "local_authority": "Durham County Council"},
        "requested_at", "The request is before the charge", section="accommodation",
        setup=lambda api, child: charged(api, child), untouched=lambda r: r["accommodation_requests"]),
    "la_response": Form(
        "accommodation-requests/{target}/response",
        {**at("11:20", name="responded_at"), "la_response": "accepted", **at("11:50", name="transferred_at")},
        lambda r: r["accommodation_requests"][0]["transferred_at"] == "2026-11-28T11:50:00Z",
        {**at("11:20", name="responded_at"), "la_response": "no_bed", **at("11:50", name="transferred_at")},
        "transferred_at", "A transfer needs the local authority to have accepted", section="accommodation",
        setup=lambda api, child: accommodation_requested(api, child)["id"],
        untouched=lambda r: r["accommodation_requests"][0]["responded_at"]),
    "transfer": Form(
        "accommodation-requests/{target}/transfer",
        at("11:50", name="transferred_at"),
        lambda r: r["accommodation_requests"][0]["transferred_at"] == "2026-11-28T11:50:00Z",
        at("11:10", name="transferred_at"), "transferred_at", "The transfer is before the response",
        section="accommodation", setup=accepted,
        untouched=lambda r: r["accommodation_requests"][0]["transferred_at"]),
    "certificate": Form(
        "certificate/new",
        {**at("11:10", name="issued_at"), "ground": "impracticable", "issued_by": "Sgt Price",
         "reasons": "Snow has closed every road out of the town"},
        lambda r: r["certificate"]["ground"] == "impracticable" and r["certificate"]["approved_by"] is None,
        {**at("11:10", name="issued_at"), "ground": "no_secure_accommodation", "issued_by": "Sgt Price",
         "reasons": "Risk of serious harm to the public"}, "ground",
        "No secure accommodation needs a secure accommodation request on record", section="certificate",
        setup=lambda api, child: charged(api, child), untouched=lambda r: r["certificate"]),
    "certificate_approval": Form(
        "certificate/approval",
        {**at("11:15", name="approved_at"), "approved_by": "Insp Khan"},
        lambda r: r["certificate"]["approved_by"] == "Insp Khan"
        and r["certificate"]["approved_at"] == "2026-11-28T11:15:00Z",
        {**at("11:15", name="approved_at"), "approved_by": ""}, "approved_by",
        "Enter the approving inspector's name", role="inspector", section="certificate",
        setup=lambda api, child: certified(api, child), untouched=lambda r: r["certificate"]["approved_at"]),
    "strip_search": Form(
        "strip-searches/new",
        {**at("11:00", name="searched_at"), "aa_present": "yes", "reason": "Concealed blade suspected"},
        lambda r: r["strip_searches"][0]["aa_present"] is True,
        {**at("11:00", name="searched_at"), "aa_present": "no", "reason": "Concealed blade suspected"},
        "urgent_without_aa_reason", "record why the search was urgent", section="strip-searches",
        untouched=lambda r: r["strip_searches"]),
    "release": Form(
        "release",
        {**at("11:55", name="released_at"), "outcome": "released_under_investigation"},
        lambda r: r["status"] == "released" and r["release"]["outcome"] == "released_under_investigation",
        {**at("09:30", name="released_at"), "outcome": "no_further_action"}, "released_at",
        "before the child arrived", section="release", untouched=lambda r: r["released_at"]),
}


def form_url(child, form, target):
    return f"/detentions/{child['id']}/" + form.path.format(target=target)


@pytest.mark.parametrize("name", FORMS)
def test_each_form_records_its_event(name, api, child, signed_in):
    form = FORMS[name]
    target = form.setup(api, child)
    person = signed_in(form.role)
    response = person.submit(form_url(child, form, target), form.good)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith(f"/detentions/{child['id']}#{form.section}")
    assert form.recorded(record(api, child["id"]))


@pytest.mark.parametrize("name", FORMS)
def test_each_form_refuses_bad_input_with_the_field_message_and_writes_nothing(name, api, child, signed_in):
    form = FORMS[name]
    target = form.setup(api, child)
    before = record(api, child["id"])
    person = signed_in(form.role)
    response = person.submit(form_url(child, form, target), form.bad)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 422, page[:3000]
    assert "There is a problem" in page
    assert f'href="#{form.field}"' in page                       # the summary links to the field
    assert form.message in page.split('class="govuk-error-summary"')[1]
    assert f'id="{form.field}-error"' in page                    # and the message sits beside it
    after = record(api, child["id"])
    assert form.untouched(after) == form.untouched(before)
    assert len(after["timeline"]) == len(before["timeline"])


def test_a_form_offers_now_in_local_24_hour_time(sergeant, child, clock):
    clock.advance(hours=3, minutes=7)  # 15:07
    page = sergeant.get(f"/detentions/{child['id']}/welfare-notification").get_data(as_text=True)
    assert 'name="informed_at_date" type="text" inputmode="numeric" autocomplete="off" value="28/11/2026"' in page
    assert 'value="15:07"' in page


def test_a_form_shows_local_summer_time_and_records_utc(api, signed_in, clock):
    clock.set(clock.now.replace(month=7, day=1, hour=12))  # BST: local is UTC+1
    child = api.post("/api/v1/detentions", json=booking(arrived_at="2026-07-01T09:00:00Z")).json
    sergeant = signed_in("sergeant")
    page = sergeant.get(f"/detentions/{child['id']}/welfare-notification").get_data(as_text=True)
    assert 'value="13:00"' in page
    sergeant.submit(f"/detentions/{child['id']}/welfare-notification",
                    {**at("10:20", "01/07/2026", "informed_at"), "person_name": "Ann Ellis"})
    assert record(api, child["id"])["welfare_notification"]["informed_at"] == "2026-07-01T09:20:00Z"


def test_a_time_that_is_not_a_time_is_refused_beside_its_field(sergeant, api, child):
    response = sergeant.submit(f"/detentions/{child['id']}/welfare-notification",
                               {**at("25:10", name="informed_at"), "person_name": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the date as DD/MM/YYYY and the time as HH:MM" in page
    assert "Enter the name of the person who was told" in page  # both problems at once
    assert record(api, child["id"])["welfare_notification"] is None


def test_left_blank_an_event_time_means_now(sergeant, api, child):
    sergeant.submit(f"/detentions/{child['id']}/aa-requests/new", {"aa_type": "parent_guardian"})
    assert record(api, child["id"])["aa_requests"][0]["requested_at"] == "2026-11-28T12:00:00Z"


def test_aa_arrived_now_is_one_click_from_the_record(sergeant, api, child):
    request = aa_requested(api, child)
    url = f"/detentions/{child['id']}"
    page = sergeant.get(url).get_data(as_text=True)
    assert "AA arrived now" in page
    assert 'value="Ann Ellis"' in page  # the name is filled in from the request
    response = sergeant.submit(f"{url}/aa-requests/{request['id']}/arrival", {"aa_name": "Ann Ellis"}, page_url=url)
    assert response.status_code == 302
    assert record(api, child["id"])["aa_requests"][0]["arrived_at"] == "2026-11-28T12:00:00Z"
    assert "AA arrived now" not in sergeant.get(url).get_data(as_text=True)


def test_aa_arrived_now_without_a_name_asks_for_it(sergeant, api, child):
    request = api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "aa_scheme"}).json
    url = f"/detentions/{child['id']}"
    response = sergeant.submit(f"{url}/aa-requests/{request['id']}/arrival", {"aa_name": ""}, page_url=url)
    assert response.status_code == 422
    assert "Enter the appropriate adult's name" in unescape(response.get_data(as_text=True))


def test_an_arrival_for_another_childs_request_is_not_found(sergeant, api, child):
    other = api.post("/api/v1/detentions", json=booking(custody_record_number="DU-26-9", forename="Kai")).json
    request = aa_requested(api, other)
    assert sergeant.get(f"/detentions/{child['id']}/aa-requests/{request['id']}/arrival").status_code == 404


def test_a_conflict_is_shown_on_the_form(sergeant, api, child):
    api.post(f"/api/v1/detentions/{child['id']}/welfare-notification", json={"person_name": "Ann Ellis"})
    response = sergeant.submit(f"/detentions/{child['id']}/welfare-notification", {"person_name": "Bob Ellis"})
    assert response.status_code == 409
    assert "already recorded as informed" in response.get_data(as_text=True)


def test_only_an_inspector_sees_and_records_the_review(signed_in, child):
    sergeant = signed_in("sergeant")
    record_page = sergeant.get(f"/detentions/{child['id']}").get_data(as_text=True)
    assert "Record a review" not in record_page
    assert "Reviews are recorded by an inspector" in record_page
    assert sergeant.get(f"/detentions/{child['id']}/reviews/new").status_code == 403
    inspector = signed_in("inspector")
    assert "Record a review" in inspector.get(f"/detentions/{child['id']}").get_data(as_text=True)


def test_a_sergeant_cannot_post_a_review(sergeant, api, child):
    response = sergeant.submit(f"/detentions/{child['id']}/reviews/new", FORMS["review"].good,
                               page_url=f"/detentions/{child['id']}")
    assert response.status_code == 403
    assert record(api, child["id"])["reviews"] == []


def test_a_manager_sees_the_record_but_no_forms(signed_in, api, child):
    aa_requested(api, child)
    manager = signed_in("manager")
    page = manager.get(f"/detentions/{child['id']}").get_data(as_text=True)
    assert "Appropriate adult" in page
    assert "AA arrived now" not in page and "Request an appropriate adult" not in page
    assert manager.get(f"/detentions/{child['id']}/welfare-notification").status_code == 403


def test_the_certificate_form_reminds_of_note_16d(sergeant, api, child):
    charged(api, child)
    page = sergeant.get(f"/detentions/{child['id']}/certificate/new").get_data(as_text=True)
    assert 'id="note-16d"' in page
    assert "the child's behaviour, the nature of the offence, or the lack of secure" in page
    assert "do not make a transfer impracticable" in page


def test_each_event_shows_in_its_section_and_on_the_timeline(signed_in, api, child):
    request = aa_requested(api, child)
    api.post(f"/api/v1/aa-requests/{request['id']}/arrival", json={"arrived_at": "2026-11-28T11:45:00Z",
                                                                   "aa_name": "Ann Ellis"})
    api.post(f"/api/v1/detentions/{child['id']}/welfare-notification",
             json={"informed_at": "2026-11-28T10:20:00Z", "person_name": "Ann Ellis", "relationship": "mother"})
    api.post(f"/api/v1/detentions/{child['id']}/referrals", json={"service": "youth_offending_team",
                                                                  "made_at": "2026-11-28T11:00:00Z"})
    api.post(f"/api/v1/detentions/{child['id']}/strip-searches", json={
        "searched_at": "2026-11-28T11:10:00Z", "aa_present": False, "reason": "Blade suspected",
        "urgent_without_aa_reason": "Immediate risk of self-harm"})
    page = signed_in("sergeant").get(f"/detentions/{child['id']}").get_data(as_text=True)
    sections = {name: page.split(f'id="{name}"')[1] for name in ("welfare", "appropriate-adults", "referrals",
                                                                 "strip-searches", "timeline")}
    assert "Ann Ellis" in sections["welfare"] and "28 Nov 2026 10:20" in sections["welfare"]
    assert "Arrived 28 Nov 2026 11:45 (Ann Ellis)" in sections["appropriate-adults"]
    assert "Youth offending team" in sections["referrals"]
    assert "Not present" in sections["strip-searches"] and "Immediate risk of self-harm" in sections["strip-searches"]
    for title in ("Appropriate adult request requested", "Appropriate adult request arrived",
                  "Welfare notification recorded", "Referral recorded", "Strip search recorded"):
        assert title in sections["timeline"]


def test_there_is_no_approval_form_without_a_certificate(signed_in, api, child):
    charged(api, child)
    assert signed_in("inspector").get(f"/detentions/{child['id']}/certificate/approval").status_code == 404


def test_reviews_charge_and_accommodation_show_in_their_sections(signed_in, api, api_as, child):
    api_as("inspector").post(f"/api/v1/detentions/{child['id']}/reviews", json={
        "held_at": "2026-11-28T10:40:00Z", "reviewer_name": "Insp Khan", "kind": "pre_charge", "mode": "video",
        "remote_reason": "Inspector at another suite", "child_seen": True, "outcome": "charge",
        "representations": "Solicitor asked for release"})
    accommodation_requested(api, child)
    page = unescape(signed_in("manager").get(f"/detentions/{child['id']}").get_data(as_text=True))
    reviews = page.split('id="reviews"')[1].split('id="referrals"')[0]
    assert "28 Nov 2026 10:40" in reviews and "Video" in reviews and "Inspector at another suite" in reviews
    assert "Representations: Solicitor asked for release" in reviews
    assert "Next review due <strong>28 Nov 2026 19:40</strong>" in reviews
    charge = page.split('id="charge"')[1].split('id="accommodation"')[0]
    assert "Bail refused" in charge and "Risk of further offences" in charge
    accommodation = page.split('id="accommodation"')[1].split('id="certificate"')[0]
    assert "Non-secure, Durham County Council" in accommodation and "Waiting for the local authority" in accommodation
    assert "must be moved to local-authority accommodation" in accommodation


def test_an_accepted_request_offers_the_transfer_until_it_is_recorded(sergeant, api, child):
    request_id = accepted(api, child)
    link = f"/detentions/{child['id']}/accommodation-requests/{request_id}/transfer"
    assert link in sergeant.get(f"/detentions/{child['id']}").get_data(as_text=True)
    assert sergeant.submit(link, at("11:50", name="transferred_at")).status_code == 302
    page = sergeant.get(f"/detentions/{child['id']}").get_data(as_text=True)
    assert link not in page and "28 Nov 2026 11:50" in page
