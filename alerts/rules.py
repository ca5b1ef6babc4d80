"""The escalation rules, pure: a child's recorded facts, the policy and an instant in; which
clocks run and which steps are due out. No database, no app, no clock of its own.

The planner, the sweep, the CLI replay and the tests all ask these same functions.

"As of" an instant: a fact counts only once its own time has come. A sweep replayed with
`--now 16:00` therefore sends what was due at 16:00 even when the AA's arrival at 21:00 is
already on record, and a step never counts as stopped by something that had not happened yet.
"""
from dataclasses import dataclass
from datetime import datetime

SINGLE = "0"  # the instance key of clocks that run at most once per detention


@dataclass(frozen=True)
class ClockInstance:
    clock: str
    instance: str
    opened_at: datetime          # when this instance came into being
    anchor: datetime             # what the steps' `after` counts from
    stopped_at: datetime | None  # the first fact that stops it (release included)

    def running_at(self, at):
        return self.opened_at <= at and not self.stopped_by(at)

    def stopped_by(self, at):
        return self.stopped_at is not None and self.stopped_at <= at

    def due_at(self, step):
        # A step cannot fall due before its clock exists (a review step counted back from
        # its deadline must not land before the previous review that set that deadline).
        return max(self.anchor + step.after, self.opened_at)


@dataclass(frozen=True)
class PlannedStep:
    clock: str
    instance: str
    step: int
    role: str
    due_at: datetime


def _earliest(*instants):
    present = [i for i in instants if i is not None]
    return min(present) if present else None


def clock_instances(detention):
    """Every clock instance the recorded facts give rise to, whenever they happen."""
    return [*_aa_not_requested(detention), *_aa_callouts(detention), *_aa_not_arrived(detention),
            *_reviews_due(detention), *_accommodation(detention)]


def _aa_not_requested(detention):
    stop = _earliest(detention.aa_first_requested_at, detention.released_at)
    yield ClockInstance("aa_not_requested", SINGLE, detention.arrived_at, detention.arrived_at, stop)


def _aa_callouts(detention):
    for request in detention.aa_requests:
        if request.aa_type == "aa_scheme":
            stop = _earliest(request.arrived_at, request.cancelled_at, detention.released_at)
            yield ClockInstance("aa_callout", str(request.id), request.requested_at, request.requested_at, stop)


def _aa_not_arrived(detention):
    first = detention.aa_first_requested_at
    if first is not None:
        # A cancelled request does not stop it: the child still has nobody (a new request follows).
        stop = _earliest(detention.aa_arrived_at, detention.released_at)
        yield ClockInstance("aa_not_arrived", SINGLE, first, first, stop)


def _reviews_due(detention):
    """Instance n: the review due after n reviews were held (n = 0 is the first review)."""
    reviews = detention.reviews
    for held in range(len(reviews) + 1):
        opened = detention.detention_authorised_at if held == 0 else reviews[held - 1].held_at
        next_held_at = reviews[held].held_at if held < len(reviews) else None
        stop = _earliest(next_held_at, detention.released_at)
        yield ClockInstance("review_due", str(held), opened, detention.review_due_after(held), stop)


def _accommodation(detention):
    for request in detention.accommodation_requests:
        stop = _earliest(request.responded_at, detention.released_at)
        yield ClockInstance("accommodation_no_response", str(request.id), request.requested_at,
                            request.requested_at, stop)


def plan(detention, policy):
    """Every step that can ever fall due while its clock runs, from the facts as recorded.

    A step whose clock stops before it is due is left out: at no instant would it be due.
    """
    planned = []
    for instance in clock_instances(detention):
        for step in policy.steps(instance.clock):
            due = instance.due_at(step)
            if instance.stopped_at is None or due < instance.stopped_at:
                planned.append(PlannedStep(instance.clock, instance.instance, step.index, step.role, due))
    return planned


def find_instance(detention, clock, instance):
    return next((i for i in clock_instances(detention) if (i.clock, i.instance) == (clock, instance)), None)


def acknowledged(acknowledgements, clock, instance, role, at):
    return any(a.clock == clock and a.instance == instance and a.role == role and a.received_at <= at
               for a in acknowledgements)


def reason_not_due(detention, acknowledgements, policy, clock, instance, step_index, at):
    """None when the step is due at `at` and should be sent; otherwise why not, in words.

    Due means: its clock instance exists and has not stopped as of `at`, its time has come,
    and the step's role has not acknowledged this clock instance by `at`. An acknowledgement
    silences only that role: the others still escalate, because the child is still waiting.
    """
    step = policy.step(clock, step_index)
    if step is None:
        return "no longer in the escalation policy"
    found = find_instance(detention, clock, instance)
    if found is None or found.opened_at > at:
        return "its clock has not started"
    if found.stopped_by(at):
        return "its clock stopped"
    if found.due_at(step) > at:
        return "not due yet"
    if acknowledged(acknowledgements, clock, instance, step.role, at):
        return f"acknowledged by {step.role}"
    return None


def due_at(detention, policy, clock, instance, step_index):
    """When the step falls due by the facts as now recorded (None if it no longer exists)."""
    step = policy.step(clock, step_index)
    found = find_instance(detention, clock, instance)
    return found.due_at(step) if step and found else None
