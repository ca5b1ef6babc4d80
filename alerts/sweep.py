"""The sweep: turn each due escalation step into texts and hand them to the provider.

One step is one transaction: claim it, re-check it with the pure rule as of `now`, find who
is on duty, write one `Message` per number already claimed for sending (see `delivery`), mark
the step, commit; then its texts go to the provider, before the next step is claimed. The
re-check that SPEC §4.2 asks for "when the text is claimed for sending" is thus the step's own,
in the same transaction as the claim. Several workers may sweep the same PostgreSQL database
at once; each step is claimed by exactly one of them:

- `FOR UPDATE SKIP LOCKED` lets a worker pass over a step another worker is holding, and
- the conditional `UPDATE ... WHERE status = 'pending'` (rowcount 1 means "mine") is the
  guarantee itself, and the one SQLite (which has no row locks) relies on.

If a worker dies mid-step its transaction rolls back and the step is still pending for the
next sweep: nothing is lost, and the unique (step, number) key means nothing is doubled.

A step that cannot be processed at all (a bug, or a step the policy file no longer has) is set
aside as `error`, shown on the record and the board, and logged; otherwise, being the earliest
due, it would be claimed first by every sweep and stop every text behind it. A database error
is not a reason to set a step aside: the sweep fails and the next one tries again.
"""
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, literal_column, select, update
from sqlalchemy.exc import DBAPIError

from alerts import contacts, delivery, facts, rules, texts
from alerts.models import EscalationStep, Message, OptOut, WorkerHeartbeat

log = logging.getLogger(__name__)
HEARTBEATS_KEPT = timedelta(days=7)
PENDING = literal_column("'pending'")  # a literal, so the planner can use the partial index


@dataclass
class SweepReport:
    now: datetime | None = None                     # the instant swept as of
    cancelled: list = field(default_factory=list)   # steps whose clock stopped
    no_recipient: list = field(default_factory=list)
    sent: list = field(default_factory=list)        # messages the provider accepted
    failed: list = field(default_factory=list)
    errors: list = field(default_factory=list)      # ids of steps set aside: they could not be processed
    out_of_time: bool = False                       # stopped claiming with its budget spent


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


def sweep(session, now, policy, sender, worker=None):
    """One sweep as of `now`: process the due steps, each followed by its texts; send or
    reconcile the texts whose next attempt has come; record a heartbeat.

    All within one budget of real time (what is left waits for the next sweep): see `delivery`.
    """
    worker = worker or worker_name()
    report = SweepReport(now=now)
    # One budget for the whole sweep: a text's lease counts from `now`, so a backlog of steps
    # must not push the claiming of texts past it. What is left waits for the next sweep.
    until = delivery.budget()
    while time.monotonic() < until and (step := claim_next_step(session, now, worker)) is not None:
        step_id = step.id
        try:
            claimed = process_step(session, step, now, policy, report)
            session.commit()  # the step and its texts, claimed, on record before the provider is called
        except DBAPIError:
            raise
        except Exception as error:  # noqa: BLE001 - one bad step must not silence every other child's
            session.rollback()
            set_aside(session, step_id, now, error)
            report.errors.append(step_id)
            continue
        delivery.send_claimed(session, claimed, now, sender, report)
    delivery.deliver(session, now, sender, policy, report, until)  # retries and reconciliations
    report.out_of_time = time.monotonic() >= until
    beat(session, worker, now, len(report.sent))
    session.commit()
    return report


def set_aside(session, step_id, now, error):
    """Record a step that raised as `error` (its claim was rolled back with the failure)."""
    log.exception("escalation step %s could not be processed and is set aside (%s)", step_id,
                  type(error).__name__)
    session.execute(update(EscalationStep).where(EscalationStep.id == step_id, EscalationStep.status == PENDING)
                    .values(status="error", processed_at=now,
                            outcome=f"not sent: the step could not be processed ({type(error).__name__}); "
                                    "see the worker's log"))
    session.commit()


def next_deadline(session, after):
    """The earliest instant after `after` at which a pending step falls due or a waiting text's
    next attempt comes (a retry, a reconciliation, a lease running out), or None.

    Only what comes after the sweep's instant: what was due by then and is still waiting is
    either held by another worker this moment or left for want of budget (`out_of_time`).
    """
    instants = session.execute(next_deadlines(after)).one()
    return min((instant for instant in instants if instant is not None), default=None)


def next_deadlines(after):
    """One row: the next step's due instant and the next text's attempt, each from an index.

    ORDER BY ... LIMIT 1 rather than min(): the first entry of the index, whatever the
    planner's estimates (the partial index of pending steps; the status index of messages).
    """
    step = (select(EscalationStep.due_at)
            .where(EscalationStep.status == PENDING, EscalationStep.due_at > after)
            .order_by(EscalationStep.due_at).limit(1))
    message = (select(Message.next_attempt_at)
               .where(Message.status.in_(delivery.WAITING), Message.next_attempt_at > after)
               .order_by(Message.next_attempt_at).limit(1))
    return select(step.scalar_subquery(), message.scalar_subquery())


def claim_next_step(session, now, worker):
    """The earliest due pending step, claimed for this worker (locked until commit), or None."""
    while True:
        step_id = session.scalar(
            select(EscalationStep.id).where(EscalationStep.status == PENDING, EscalationStep.due_at <= now)
            .order_by(EscalationStep.due_at, EscalationStep.id).limit(1).with_for_update(skip_locked=True))
        if step_id is None:
            return None
        claimed = session.execute(
            update(EscalationStep).where(EscalationStep.id == step_id, EscalationStep.status == PENDING)
            .values(status="claimed", claimed_by=worker, claimed_at=now)).rowcount == 1
        if claimed:
            return session.get(EscalationStep, step_id, populate_existing=True)
        session.rollback()  # another worker took it between our read and our claim


def process_step(session, step, now, policy, report):
    """Settle a claimed step as of `now`; the texts it claimed for sending (not yet committed)."""
    detention = facts.detention_with_facts(session, step.detention_id)
    reason = rules.reason_not_due(detention, facts.acknowledgements_for(session, detention.id), policy,
                                  step.clock, step.instance, step.step, now)
    if reason == "not due yet":
        # A fact was amended after planning and moved the deadline: keep waiting for it.
        _finish(step, "pending", now, None)
        step.due_at = rules.due_at(detention, policy, step.clock, step.instance, step.step)
    elif reason is not None:
        _finish(step, "cancelled", now, f"not sent: {reason}")
        report.cancelled.append(step)
    else:
        return _text_on_duty(session, step, detention, now, policy, report)
    return []


def _finish(step, status, now, outcome):
    step.status = status
    step.processed_at = None if status == "pending" else now
    step.outcome = outcome


def _text_on_duty(session, step, detention, now, policy, report):
    on_duty = _one_per_number(contacts.on_duty(session, detention.suite, step.role, now))
    if not on_duty:
        _finish(step, "no_recipient", now, f"no {step.role} contact on duty at "
                                           f"{texts.clock_time(now, detention.suite.timezone, now)}")
        report.no_recipient.append(step)
        return []
    instance = rules.find_instance(detention, step.clock, step.instance)
    body = texts.render(instance, policy.step(step.clock, step.step), detention, now)
    opted_out = _opted_out(session, [c.phone for c in on_duty])
    claimed = []
    for contact in on_duty:
        message = _message(step, contact, body, now)
        if contact.phone in opted_out:
            # The provider would refuse it (21610); record it as refused, shown, never tried.
            message.status, message.error_code = "failed", "21610"
            message.error_message, message.next_attempt_at = "opted out (replied STOP)", None
            report.failed.append(message)
        else:
            delivery.claim_new(message, now)
            claimed.append(message)
        session.add(message)
    _finish(step, "done", now, f"texted {len(on_duty)} {step.role} contact(s)")
    return claimed


def _one_per_number(on_duty):
    seen, unique = set(), []
    for contact in on_duty:
        if contact.phone not in seen:
            seen.add(contact.phone)
            unique.append(contact)
    return unique


def _opted_out(session, phones):
    return set(session.scalars(select(OptOut.phone).where(OptOut.phone.in_(phones), OptOut.opted_out)))


def _message(step, contact, body, now):
    return Message(step_id=step.id, detention_id=step.detention_id, contact=contact, clock=step.clock,
                   step=step.step, role=step.role, to=contact.phone, body=body, status="pending",
                   due_at=step.due_at, late=delivery.is_late(step.due_at, now), attempts=0,
                   next_attempt_at=now, created_at=now)


def beat(session, worker, now, sent):
    heartbeat = session.get(WorkerHeartbeat, worker)
    if heartbeat is None:
        session.add(WorkerHeartbeat(worker=worker, last_sweep_at=now, last_sweep_sent=sent))
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.last_sweep_at < now - HEARTBEATS_KEPT))
    else:
        heartbeat.last_sweep_at, heartbeat.last_sweep_sent = now, sent


def last_sweep_at(session):
    return session.scalar(select(func.max(WorkerHeartbeat.last_sweep_at)))
