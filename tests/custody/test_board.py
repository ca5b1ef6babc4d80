"""The live custody board: what is late for each child, in colour and in words, at a glance."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from alerts.summary import AlertSummary
from core import web
from core.db import db
from tests.conftest import booking


def utc(hour, minute=0, day=28, month=11):
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


def book(api, name, arrived, suite="DUR", number=None, **extra):
    return api.post("/api/v1/detentions", json=booking(forename=name, arrived_at=arrived.isoformat(), suite=suite,
                                                       custody_record_number=number or f"CR-{name}", **extra)).json


def row_of(page, detention_id):
    """The child's row, from its opening <tr> tag (which carries the row's colour) to </tr>."""
    return re.search(rf'<tr[^>]*id="child-{detention_id}".*?</tr>', page, re.DOTALL).group(0)


def order_on(page):
    return [int(i) for i in re.findall(r'id="child-(\d+)"', page)]


@pytest.fixture
def board(signed_in):
    person = signed_in("sergeant")
    return lambda query="": person.get(f"/{query}").get_data(as_text=True)


@pytest.mark.parametrize("now,status,words", [
    (utc(12), "ok", "16:00"),                    # first review due 16:00, four hours off
    (utc(15, 29), "ok", "16:00"),
    (utc(15, 30), "soon", "Due soon"),           # amber from 30 minutes before
    (utc(15, 59), "soon", "in 1m"),
    (utc(16, 1), "overdue", "Overdue"),          # red once the time has passed
    (utc(19), "overdue", "by 3h 00m"),
])
def test_next_review_is_amber_within_30_minutes_and_red_when_overdue(api, child, board, clock, now, status, words):
    clock.set(now)
    row = row_of(board(), child["id"])
    assert f"app-due--{status}" in row
    assert words in row
    assert {"ok": "app-board__row--plain", "soon": "app-board__row--amber", "overdue": "app-board__row--red"}[status] \
        in row.split(">")[0]


def test_each_status_is_in_words_as_well_as_colour(api, child, board, clock):
    clock.set(utc(16, 30))
    row = row_of(board(), child["id"])
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in row
    assert '<strong class="govuk-tag govuk-tag--red">Not requested</strong>' in row
    assert '<strong class="govuk-tag govuk-tag--red">Not notified</strong>' in row


def test_the_board_shows_time_in_custody_aa_wait_and_welfare(api, child, board):
    request = api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "aa_scheme",
                                                                              "requested_at": utc(10, 30).isoformat()})
    api.post(f"/api/v1/detentions/{child['id']}/welfare-notification",
             json={"person_name": "Ann Ellis", "informed_at": utc(10, 20).isoformat()})
    row = row_of(board(), child["id"])
    assert "2h 00m" in row and "since 10:00" in row          # in custody since 10:00, now 12:00
    assert "Waiting" in row and "Notified" in row and "at 10:20" in row
    api.post(f"/api/v1/aa-requests/{request.json['id']}/arrival",
             json={"aa_name": "Vol", "arrived_at": utc(11, 15).isoformat()})
    assert "Attended" in row_of(board(), child["id"]) and "after 1h 15m" in row_of(board(), child["id"])


def test_sorted_by_longest_aa_wait_by_default(api, board, clock):
    attended_long_ago = book(api, "Ari", utc(6))
    waiting_longest = book(api, "Bo", utc(8))
    waiting_shorter = book(api, "Cy", utc(11))
    request = api.post(f"/api/v1/detentions/{attended_long_ago['id']}/aa-requests", json={
        "aa_type": "parent_guardian", "requested_at": utc(6, 10).isoformat()}).json
    api.post(f"/api/v1/aa-requests/{request['id']}/arrival", json={"aa_name": "Dad",
                                                                   "arrived_at": utc(6, 30).isoformat()})
    assert order_on(board()) == [waiting_longest["id"], waiting_shorter["id"], attended_long_ago["id"]]


def test_sorted_by_next_review_when_asked(api, api_as, board):
    early = book(api, "Ari", utc(11))
    reviewed = book(api, "Bo", utc(8))
    late = book(api, "Cy", utc(11, 30))
    # A review for Bo at 11:50 puts his next one at 20:50, after the others' first (17:00, 17:30).
    api_as("inspector").post(f"/api/v1/detentions/{reviewed['id']}/reviews", json={
        "held_at": utc(11, 50).isoformat(), "reviewer_name": "Insp Khan", "kind": "pre_charge",
        "mode": "in_person", "child_seen": True, "outcome": "continue_detention"})
    assert order_on(board("?sort=review_due")) == [early["id"], late["id"], reviewed["id"]]
    assert order_on(board("?sort=arrived")) == [reviewed["id"], early["id"], late["id"]]


def test_the_suite_filter_shows_only_that_suite(api, board):
    durham = book(api, "Ari", utc(10), suite="DUR")
    darlington = book(api, "Bo", utc(10), suite="DAR")
    page = board("?suite=DAR")
    assert order_on(page) == [darlington["id"]]
    assert "1 child in custody at Darlington" in page
    assert sorted(order_on(board())) == sorted([durham["id"], darlington["id"]])


def test_released_children_leave_the_board(api, child, board):
    api.post(f"/api/v1/detentions/{child['id']}/release", json={"outcome": "no_further_action"})
    assert "No children are in custody" in board()


def test_waiting_for_the_local_authority_and_referral_to_consider(api, board):
    child = book(api, "Ari", utc(9), needs=["mental_health"])
    api.post(f"/api/v1/detentions/{child['id']}/charge", json={
        "charged_at": utc(11).isoformat(), "offences": "Robbery", "bail": "refused", "refusal_grounds": "Risk"})
    api.post(f"/api/v1/detentions/{child['id']}/accommodation-requests", json={
        "requested_at": utc(11, 10).isoformat(), "type": "non_secure", "local_authority": "Durham CC"})
    row = row_of(board(), child["id"])
    assert "Waiting for the LA" in row and "Durham CC, asked 11:10" in row
    assert "Referral to consider" in row


def test_texts_eta_no_one_to_text_and_failures_from_the_alerts_summary(api, child, board, monkeypatch):
    api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "aa_scheme"})
    summary = AlertSummary(sent=3, acknowledged=1, eta_minutes=25, eta_at=utc(12, 25),
                           no_one_to_text=["aa_scheme_coordinator"], failed=["07700 900123: number not valid"])
    monkeypatch.setattr("custody.board.alert_summaries",
                        lambda session, ids, now: {i: summary for i in ids})
    row = row_of(board(), child["id"])
    assert "3 sent, 1 acknowledged" in row
    assert "ETA 12:25 (25 min, by text)" in row
    assert "No one to text: AA scheme coordinator" in row
    assert "Text failed: 07700 900123: number not valid" in row


def test_the_sweep_stopped_banner_shows_on_the_live_board(child, signed_in, monkeypatch):
    monkeypatch.setattr(web, "page_banners", [lambda session, now: ["No sweep for 5 minutes: no texts are going out."]])
    live = signed_in("sergeant").get("/board/live").get_data(as_text=True)
    assert "No sweep for 5 minutes" in live
    assert "<html" not in live  # a fragment for htmx to swap in, not a page


def test_the_board_refreshes_itself_through_htmx(child, signed_in):
    page = signed_in("manager").get("/?suite=DUR&sort=arrived").get_data(as_text=True)
    assert 'hx-get="/board/live?suite=DUR&amp;sort=arrived"' in page
    assert 'hx-trigger="every 30s"' in page
    assert "<script>" not in page  # no inline script (CSP)


def test_the_board_loads_in_the_same_few_queries_whatever_the_number_of_children(api, board):
    def queries_for_board():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            board()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    def add_children(first, count):
        for n in range(first, first + count):
            child = book(api, f"Child{n}", utc(9) + timedelta(minutes=n), needs=["self_harm"])
            api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "aa_scheme"})
            api.post(f"/api/v1/detentions/{child['id']}/welfare-notification", json={"person_name": "Parent"})
            api.post(f"/api/v1/detentions/{child['id']}/referrals", json={"service": "health"})

    add_children(0, 2)
    few = queries_for_board()
    add_children(2, 8)
    assert queries_for_board() == few


def test_a_cancelled_request_leaves_the_child_without_an_aa_requested(api, child, board):
    request = api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "parent_guardian"}).json
    assert "Waiting" in row_of(board(), child["id"])
    api.post(f"/api/v1/aa-requests/{request['id']}/cancel", json={"reason": "Parent refused"})
    row = row_of(board(), child["id"])
    assert "Not requested" in row and "last request cancelled" in row
