"""A child's whole custody across each change of the clocks (Europe/London, 2026).

Spring: 29 March 01:00 UTC, 01:00 GMT becomes 02:00 BST (the night has an hour less).
Autumn: 25 October 01:00 UTC, 02:00 BST becomes 01:00 GMT (01:00-02:00 happens twice).
PACE deadlines and waits are real hours between instants; what the record page shows is the
suite's wall clock. A wall-clock calculation would be an hour out in each expectation below.
"""
import re
from datetime import datetime, timezone

import pytest

from tests.conftest import booking


def utc(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def custody_times(client, detention_id):
    """The record page's 'Custody times' list, as {label: shown value}."""
    html = client.get(f"/detentions/{detention_id}").get_data(as_text=True)
    section = html.split('id="custody-times"', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">'
                       r'(.*?)</dd>', section, re.S)
    return {key.strip(): " ".join(value.split()) for key, value in pairs}


@pytest.fixture
def at(clock):
    """at("2026-03-29T01:30:00Z"): move the app's clock."""
    return lambda instant: clock.set(utc(instant))


def book(api, at, arrived_at, **fields):
    at(arrived_at)
    response = api.post("/api/v1/detentions", json=booking(arrived_at=arrived_at, custody_record_number=None,
                                                           **fields))
    assert response.status_code == 201, response.json
    return response.json


def post(caller, url, body):
    response = caller.post(url, json=body)
    assert response.status_code in (200, 201), response.json
    return response.json


def test_a_custody_across_the_spring_change(api, api_as, login, at):
    child = book(api, at, "2026-03-28T22:30:00Z")  # 22:30 GMT on Saturday night
    base = f"/api/v1/detentions/{child['id']}"
    assert child["clocks"]["next_review_due_at"] == "2026-03-29T04:30:00Z"   # 6 real hours
    assert child["detention_limit_at"] == "2026-03-29T22:30:00Z"             # 24 real hours
    page = custody_times(login("sergeant"), child["id"])
    assert page["Arrived at the suite"] == "28 Mar 2026 22:30"
    assert page["Next review due"] == "29 Mar 2026 05:30"                    # BST by then
    assert page["Detention limit (24 hours)"] == "29 Mar 2026 23:30"

    at("2026-03-28T23:00:00Z")
    request = post(api, f"{base}/aa-requests", {"aa_type": "parent_guardian", "contact_name": "Ann Ellis"})
    at("2026-03-29T02:30:00Z")                                                # 03:30 BST
    assert api.get(base).json["clocks"]["aa_wait_minutes"] == 240.0           # not 300: an hour vanished
    post(api, f"/api/v1/aa-requests/{request['id']}/arrival", {"aa_name": "Ann Ellis"})

    at("2026-03-29T04:45:00Z")
    assert api.get(base).json["clocks"]["review_overdue"] is True
    review = post(api_as("inspector"), f"{base}/reviews", {
        "held_at": "2026-03-29T05:40:00+01:00", "reviewer_name": "Insp Khan", "kind": "pre_charge",
        "mode": "in_person", "child_seen": True, "aa_present": True, "outcome": "continue_detention"})
    assert (review["due_at"], review["late"]) == ("2026-03-29T04:30:00Z", True)
    record = api.get(base).json
    assert record["clocks"]["next_review_due_at"] == "2026-03-29T13:40:00Z"  # 9 real hours after
    assert record["clocks"]["aa_wait_minutes"] == 240.0

    page = custody_times(login("sergeant"), child["id"])
    assert page["Appropriate adult"] == "attended 29 Mar 2026 03:30"
    assert page["Next review due"] == "29 Mar 2026 14:40"

    at("2026-03-29T06:00:00Z")
    released = post(api, f"{base}/release", {"outcome": "no_further_action"})
    assert released["overnight"] is True and released["status"] == "released"
    assert custody_times(login("sergeant"), child["id"])["Released"] == "29 Mar 2026 07:00 (no further action)"


def test_a_custody_across_the_autumn_change(api, api_as, login, at):
    child = book(api, at, "2026-10-24T23:30:00Z")  # 00:30 BST on Sunday 25 October
    base = f"/api/v1/detentions/{child['id']}"
    assert child["clocks"]["next_review_due_at"] == "2026-10-25T05:30:00Z"
    assert child["detention_limit_at"] == "2026-10-25T23:30:00Z"
    page = custody_times(login("sergeant"), child["id"])
    assert page["Arrived at the suite"] == "25 Oct 2026 00:30"
    assert page["Next review due"] == "25 Oct 2026 05:30"                    # GMT: 5 wall-clock hours on
    assert page["Detention limit (24 hours)"] == "25 Oct 2026 23:30"

    at("2026-10-25T00:15:00Z")                                                # 01:15 BST, the first time
    request = post(api, f"{base}/aa-requests", {"aa_type": "parent_guardian"})
    at("2026-10-25T01:15:00Z")                                                # 01:15 GMT, the second time
    post(api, f"/api/v1/aa-requests/{request['id']}/arrival", {"aa_name": "Ann Ellis"})
    record = api.get(base).json
    assert record["clocks"]["aa_wait_minutes"] == 105.0                      # the wall clock says 45
    assert record["aa_requests"][0]["requested_at"] == "2026-10-25T00:15:00Z"

    at("2026-10-25T05:00:00Z")
    assert api.get(base).json["clocks"]["review_overdue"] is False
    review = post(api_as("inspector"), f"{base}/reviews", {
        "reviewer_name": "Insp Khan", "kind": "pre_charge", "mode": "in_person", "child_seen": True,
        "aa_present": True, "outcome": "continue_detention"})
    assert (review["due_at"], review["late"]) == ("2026-10-25T05:30:00Z", False)
    assert api.get(base).json["clocks"]["next_review_due_at"] == "2026-10-25T14:00:00Z"

    client = login("sergeant")
    page = custody_times(client, child["id"])
    assert page["Appropriate adult"] == "attended 25 Oct 2026 01:15 GMT"      # the repeated hour says which
    assert page["Next review due"] == "25 Oct 2026 14:00"
    timeline = client.get(f"/detentions/{child['id']}").get_data(as_text=True)
    assert "25 Oct 2026 01:15 BST" in timeline and "25 Oct 2026 01:15 GMT" in timeline

    at("2026-10-25T23:31:00Z")
    record = api.get(base).json
    assert record["clocks"]["review_overdue"] is True and record["detention_limit_at"] < "2026-10-25T23:31:00Z"
    released = post(api, f"{base}/release", {"released_at": "2026-10-25T23:30:00Z", "outcome": "kept_for_court"})
    assert released["overnight"] is True


@pytest.mark.parametrize("arrived_at,released_at,overnight", [
    # Spring: midnight to 08:00 is 7 real hours. 00:00 GMT to 04:30 BST looks like 4h30, is 3h30.
    ("2026-03-28T22:30:00Z", "2026-03-29T03:30:00Z", False),
    ("2026-03-28T22:30:00Z", "2026-03-29T04:00:00Z", True),
    # Autumn: midnight to 08:00 is 9 real hours. 00:30 BST to 03:30 GMT looks like 3h, is 4h.
    ("2026-10-24T23:30:00Z", "2026-10-25T03:15:00Z", False),
    ("2026-10-24T23:30:00Z", "2026-10-25T03:30:00Z", True),
])
def test_the_overnight_flag_counts_real_hours_between_midnight_and_eight(api, at, arrived_at, released_at,
                                                                         overnight):
    child = book(api, at, arrived_at)
    at(released_at)
    released = post(api, f"/api/v1/detentions/{child['id']}/release", {"outcome": "bail"})
    assert released["overnight"] is overnight


def test_the_relevant_time_after_an_arrest_elsewhere_is_24_real_hours_across_the_change(api, at, login):
    # Arrested at 20:00 GMT, reached the suite 26 hours later: the clock started 24 h after arrest.
    child = book(api, at, "2026-03-29T22:00:00Z", arrested_at="2026-03-28T20:00:00Z")
    assert child["relevant_time"] == "2026-03-29T20:00:00Z"
    assert child["detention_limit_at"] == "2026-03-30T20:00:00Z"
    page = custody_times(login("sergeant"), child["id"])
    assert page["Arrested"] == "28 Mar 2026 20:00"
    assert page["Relevant time (PACE s.41)"] == "29 Mar 2026 21:00"
    assert page["Detention limit (24 hours)"] == "30 Mar 2026 21:00"
