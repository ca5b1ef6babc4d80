"""Planning writes a child's escalation steps with each fact, in the same transaction."""
from sqlalchemy import select

from alerts.models import EscalationStep
from core.db import db
from tests.alerts.conftest import at
from tests.conftest import booking


def steps(detention_id):
    rows = db.session.scalars(select(EscalationStep).where(EscalationStep.detention_id == detention_id)
                              .order_by(EscalationStep.due_at, EscalationStep.id)).all()
    return [(s.clock, s.instance, s.step, s.due_at.strftime("%H:%M"), s.status) for s in rows]


def book(api, clock, when="02:00"):
    clock.set(at(when))
    return api.post("/api/v1/detentions", json=booking(arrived_at=at(when).isoformat())).json


def test_booking_a_child_in_plans_the_clocks_that_start_at_arrival(api, clock):
    child = book(api, clock)
    assert steps(child["id"]) == [
        ("aa_not_requested", "0", 0, "02:30", "pending"),
        ("review_due", "0", 0, "07:30", "pending"),
        ("review_due", "0", 1, "08:15", "pending"),
    ]


def test_a_scheme_request_plans_its_call_out_and_the_wait_for_arrival(api, clock):
    child = book(api, clock)
    clock.set(at("02:10"))
    request = api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "aa_scheme"}).json
    planned = {(clock_, instance, step): due for clock_, instance, step, due, _ in steps(child["id"])}
    assert planned[("aa_callout", str(request["id"]), 0)] == "02:10"
    assert planned[("aa_callout", str(request["id"]), 1)] == "03:10"
    assert [planned[("aa_not_arrived", "0", n)] for n in range(3)] == ["04:10", "06:10", "10:10"]


def test_a_refused_fact_plans_nothing(api, clock):
    child = book(api, clock)
    before = steps(child["id"])
    refused = api.post(f"/api/v1/detentions/{child['id']}/aa-requests",
                       json={"aa_type": "aa_scheme", "requested_at": at("01:00").isoformat()})
    assert refused.status_code == 422 and steps(child["id"]) == before


def test_a_held_review_plans_the_next_one(api_as, clock, api):
    child = book(api, clock)
    clock.set(at("07:00"))
    held = api_as("inspector").post(f"/api/v1/detentions/{child['id']}/reviews", json={
        "reviewer_name": "Insp Khan", "kind": "pre_charge", "mode": "in_person", "child_seen": True,
        "outcome": "continue_detention"})
    assert held.status_code == 201, held.json
    assert ("review_due", "1", 0, "15:30", "pending") in steps(child["id"])  # 07:00 + 9h - 30m


def test_a_step_already_sent_or_cancelled_is_never_put_back(api, clock, chain, sweep):
    child = book(api, clock)
    sweep(at("02:30"))
    clock.set(at("02:40"))
    api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "parent_guardian"})
    assert steps(child["id"])[0] == ("aa_not_requested", "0", 0, "02:30", "done")


def test_an_amended_arrival_moves_a_step_still_waiting(api, clock):
    child = book(api, clock, "03:00")
    amended = api.patch(f"/api/v1/detentions/{child['id']}", json={
        "arrived_at": at("02:00").isoformat(), "amend_reason": "Arrival time misread from the log"})
    assert amended.status_code == 200, amended.json
    assert steps(child["id"])[0] == ("aa_not_requested", "0", 0, "02:30", "pending")
