"""The pure rules: facts, policy and an instant in; clocks and due steps out. No database."""
from datetime import timedelta

import pytest

import config
from alerts import policy, rules
from alerts.models import Acknowledgement
from custody.models import AARequest, AccommodationRequest, Detention, Review
from tests.alerts.conftest import at

POLICY = policy.load(config.CONFIG_DIR / "escalation.toml")


def child(**facts):
    detention = Detention(arrived_at=at("02:00"), detention_authorised_at=at("02:00"), status="in_custody",
                          released_at=None)
    for name, value in facts.items():
        setattr(detention, name, value)
    return detention


def aa(request_id, requested, aa_type="parent_guardian", arrived=None, cancelled=None):
    return AARequest(id=request_id, aa_type=aa_type, requested_at=at(requested),
                     arrived_at=arrived and at(arrived), cancelled_at=cancelled and at(cancelled))


def review(held):
    return Review(held_at=at(held), due_at=at(held))


def due(detention, clock, instance, step, when, acks=()):
    return rules.reason_not_due(detention, list(acks), POLICY, clock, instance, step, at(when))


def planned(detention):
    return sorted((p.due_at.strftime("%H:%M"), p.clock, p.role) for p in rules.plan(detention, POLICY))


def test_a_child_nobody_asks_an_aa_for_escalates_to_the_inspector_at_30_minutes():
    detention = child()
    assert due(detention, "aa_not_requested", "0", 0, "02:29") == "not due yet"
    assert due(detention, "aa_not_requested", "0", 0, "02:30") is None


def test_the_first_aa_request_stops_aa_not_requested_but_only_from_its_own_time():
    detention = child(aa_requests=[aa(1, "02:20")])
    assert due(detention, "aa_not_requested", "0", 0, "02:30") == "its clock stopped"
    late_request = child(aa_requests=[aa(1, "15:00")])
    # A request recorded for 15:00 does not count at 02:30: a replay sends what was due then.
    assert due(late_request, "aa_not_requested", "0", 0, "02:30") is None
    assert due(late_request, "aa_not_requested", "0", 0, "15:00") == "its clock stopped"


def test_each_scheme_request_has_its_own_call_out_and_its_arrival_stops_only_that_one():
    detention = child(aa_requests=[aa(7, "15:30", "aa_scheme", arrived="16:00"), aa(8, "17:00", "aa_scheme")])
    assert due(detention, "aa_callout", "7", 0, "15:30") is None
    assert due(detention, "aa_callout", "7", 1, "16:30") == "its clock stopped"
    assert due(detention, "aa_callout", "8", 1, "18:00") is None
    assert due(detention, "aa_callout", "9", 0, "18:00") == "its clock has not started"


def test_a_parent_request_has_no_call_out():
    assert [i.clock for i in rules.clock_instances(child(aa_requests=[aa(1, "03:00")]))
            if i.clock == "aa_callout"] == []


def test_aa_not_arrived_runs_from_the_first_request_through_cancellations_until_any_arrival():
    detention = child(aa_requests=[aa(1, "15:00", cancelled="15:20"), aa(2, "15:30", "aa_scheme", arrived="21:00")])
    assert due(detention, "aa_not_arrived", "0", 0, "17:00") is None
    assert due(detention, "aa_not_arrived", "0", 1, "19:00") is None
    assert due(detention, "aa_not_arrived", "0", 2, "23:00") == "its clock stopped"


def test_an_ack_silences_that_role_on_that_clock_instance_only():
    detention = child(aa_requests=[aa(7, "15:30", "aa_scheme")])
    acks = [Acknowledgement(clock="aa_callout", instance="7", role="aa_scheme", received_at=at("15:40"))]
    assert due(detention, "aa_callout", "7", 1, "16:30", acks) == "acknowledged by aa_scheme"
    assert due(detention, "aa_callout", "7", 1, "15:35", acks) == "not due yet"
    assert due(detention, "aa_not_arrived", "0", 0, "17:30", acks) is None  # other clocks still run


def test_an_ack_after_the_instant_does_not_count_yet():
    detention = child(aa_requests=[aa(7, "15:30", "aa_scheme")])
    acks = [Acknowledgement(clock="aa_callout", instance="7", role="aa_scheme", received_at=at("16:45"))]
    assert due(detention, "aa_callout", "7", 1, "16:30", acks) is None


def test_review_steps_come_30_minutes_before_and_15_after_each_review_falls_due():
    detention = child(reviews=[review("07:50")])
    assert due(detention, "review_due", "0", 0, "07:30") is None          # due 08:00
    assert due(detention, "review_due", "0", 1, "08:15") == "its clock stopped"
    assert due(detention, "review_due", "1", 0, "16:20") is None          # next due 07:50 + 9h
    assert due(detention, "review_due", "1", 1, "17:05") is None
    assert due(detention, "review_due", "2", 0, "23:59") == "its clock has not started"


def test_a_review_step_never_falls_due_before_the_review_that_set_its_deadline():
    tight = policy.parse({**{name: {"steps": []} for name in policy.CLOCKS},
                          "review_due": {"steps": [{"after": -600, "role": "custody_inspector"}]}})
    detention = child(reviews=[review("07:50")])
    second = next(i for i in rules.clock_instances(detention) if (i.clock, i.instance) == ("review_due", "1"))
    assert second.due_at(tight.step("review_due", 0)) == at("07:50")


def test_the_local_authority_is_chased_until_it_answers():
    request = AccommodationRequest(id=3, requested_at=at("18:00"), responded_at=at("19:30"))
    detention = child(accommodation_requests=[request])
    assert due(detention, "accommodation_no_response", "3", 0, "19:00") is None
    assert due(detention, "accommodation_no_response", "3", 1, "20:00") == "its clock stopped"


def test_release_stops_every_clock():
    detention = child(released_at=at("02:20"), aa_requests=[aa(7, "02:10", "aa_scheme")])
    assert due(detention, "aa_callout", "7", 1, "03:10") == "its clock stopped"
    assert due(detention, "aa_not_arrived", "0", 0, "04:10") == "its clock stopped"
    assert due(detention, "review_due", "0", 0, "07:30") == "its clock stopped"


def test_planning_leaves_out_steps_whose_clock_stops_before_they_fall_due():
    detention = child(aa_requests=[aa(1, "15:00", arrived="21:00"), aa(2, "15:30", "aa_scheme")],
                      released_at=at("23:30"))
    assert planned(detention) == [
        ("02:30", "aa_not_requested", "custody_inspector"),
        ("07:30", "review_due", "custody_inspector"),
        ("08:15", "review_due", "duty_superintendent"),
        ("15:30", "aa_callout", "aa_scheme"),
        ("16:30", "aa_callout", "aa_scheme"),
        ("17:00", "aa_not_arrived", "aa_scheme_coordinator"),
        ("19:00", "aa_not_arrived", "custody_inspector"),
    ]


def test_a_step_dropped_from_the_policy_is_not_sent():
    assert due(child(), "aa_not_requested", "0", 5, "23:00") == "no longer in the escalation policy"


@pytest.mark.parametrize("hours", [0, 1, 10])
def test_due_at_follows_the_facts_as_now_recorded(hours):
    detention = child(arrived_at=at("02:00") + timedelta(hours=hours))
    assert rules.due_at(detention, POLICY, "aa_not_requested", "0", 0) == at("02:30") + timedelta(hours=hours)
