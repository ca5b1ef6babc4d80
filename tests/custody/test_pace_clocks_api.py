"""PACE clocks over the night the clocks go back (25 October 2026, 02:00 BST -> 01:00 GMT).

Durations are real hours between UTC instants (SPEC §3), never wall-clock arithmetic: a child
booked at 23:00 BST (22:00 UTC) on 24 October has the first review due 6 real hours later, at
04:00 UTC, which the suite's wall clock shows as 04:00 GMT (not 05:00, which would be 7 hours);
the detention limit is 24 real hours after arrival, 22:00 UTC on 25 October (22:00 GMT).
"""
from datetime import datetime, timezone

from tests.conftest import booking


def test_a_child_booked_at_23_00_local_before_the_clocks_go_back(api, clock, signed_in):
    clock.set(datetime(2026, 10, 24, 22, 30, tzinfo=timezone.utc))
    booked = api.post("/api/v1/detentions", json=booking(arrived_at="2026-10-24T23:00:00+01:00"))
    assert booked.status_code == 201, booked.json
    record = api.get(f"/api/v1/detentions/{booked.json['id']}").json
    assert record["arrived_at"] == "2026-10-24T22:00:00Z"
    assert record["clocks"]["next_review_due_at"] == "2026-10-25T04:00:00Z"
    assert record["detention_limit_at"] == "2026-10-25T22:00:00Z"
    assert record["clocks"]["detention_limit_at"] == "2026-10-25T22:00:00Z"

    page = signed_in("sergeant").get(f"/detentions/{booked.json['id']}").get_data(as_text=True)
    times = page.split('id="custody-times"')[1].split("</dl>")[0]
    assert "24 Oct 2026 23:00" in times   # arrival, BST
    assert "25 Oct 2026 04:00" in times   # first review due, GMT
    assert "25 Oct 2026 22:00" in times   # detention limit, GMT


def test_the_first_review_is_overdue_only_after_six_real_hours(api, clock):
    clock.set(datetime(2026, 10, 24, 22, 30, tzinfo=timezone.utc))
    booked = api.post("/api/v1/detentions", json=booking(arrived_at="2026-10-24T23:00:00+01:00")).json
    clock.set(datetime(2026, 10, 25, 4, 0, tzinfo=timezone.utc))
    assert api.get(f"/api/v1/detentions/{booked['id']}").json["clocks"]["review_overdue"] is False
    clock.set(datetime(2026, 10, 25, 4, 1, tzinfo=timezone.utc))
    assert api.get(f"/api/v1/detentions/{booked['id']}").json["clocks"]["review_overdue"] is True


def test_a_child_booked_at_23_00_utc_on_24_october_has_the_review_at_05_00_utc(api, clock):
    # The wording read as UTC: 23:00 UTC is 00:00 BST on the 25th; six real hours later
    # is 05:00 UTC (05:00 GMT, the clocks having gone back at 01:00 UTC in between).
    clock.set(datetime(2026, 10, 24, 23, 30, tzinfo=timezone.utc))
    booked = api.post("/api/v1/detentions", json=booking(arrived_at="2026-10-24T23:00:00Z")).json
    assert booked["relevant_time"] == "2026-10-24T23:00:00Z"
    record = api.get(f"/api/v1/detentions/{booked['id']}").json
    assert record["clocks"]["next_review_due_at"] == "2026-10-25T05:00:00Z"
    assert record["detention_limit_at"] == "2026-10-25T23:00:00Z"
