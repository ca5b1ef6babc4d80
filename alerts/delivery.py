"""Handing texts to the provider, at most once each, and finding out what became of them.

A message is claimed by moving its `next_attempt_at` forward as a lease and committed *before*
the provider is called, so no database lock is held across the network. A new text is written
already claimed, in the transaction of the step it belongs to (`claim_new`: no other worker sees
the row before it is committed, leased); a text waiting for a retry or a reconciliation is
claimed with a conditional UPDATE (rowcount 1 means "mine"). What the provider answered is
committed after:

- accepted: `sent`;
- 429 or a connection that never opened: back to `pending`, retried with backoff;
- refused for good (21211 invalid number, 21610 opted out...): `failed`, shown, never retried;
- a timeout or 5xx after the request went out: `unknown`. Before any resend, the provider's
  message list is searched for it (To + body + date); only when it is not there is it sent
  again. A worker that died mid-call leaves `sending` with an expired lease: also `unknown`.
"""
import logging
import time
from datetime import timedelta

from sqlalchemy import literal_column, select, update

from alerts import facts
from alerts.models import Message, MessageAttempt
from alerts.senders import SmsError

log = logging.getLogger(__name__)

# Sent later than this after its due time, a text is marked late (the worker was down or
# behind); the sweep runs every few seconds, so anything beyond it is a catch-up.
LATE_AFTER = timedelta(minutes=2)
# A claimed message is leased for LEASE from the sweep's `now`. A sweep stops claiming (steps,
# with their texts, and waiting texts alike) SEND_BUDGET_SECONDS of real time after it began, so
# the lease outlives every call it makes and another worker never mistakes a slow call for a dead
# one, however long a backlog of steps took: past the budget it makes at most the calls of the last
# step it claimed, one per number on duty for a role, each within TWILIO_TIMEOUT_SECONDS, together
# well under the difference.
LEASE = timedelta(minutes=5)
SEND_BUDGET_SECONDS = 60
RECONCILE_AFTER = timedelta(seconds=30)  # give the provider's message list time to show it
BACKOFF_FIRST, BACKOFF_MOST = timedelta(seconds=30), timedelta(minutes=10)
MOST_ATTEMPTS = 10
MATCH_SLACK = timedelta(minutes=15)     # clocks differ between us and the provider
WAITING = (literal_column("'pending'"), literal_column("'sending'"), literal_column("'unknown'"))
PROVIDER_STATUS = {"accepted": "sent", "scheduled": "sent", "queued": "sent", "sending": "sent", "sent": "sent",
                   "delivered": "delivered", "read": "delivered", "undelivered": "undelivered",
                   "failed": "failed", "canceled": "failed"}


def backoff(attempts):
    return min(BACKOFF_MOST, BACKOFF_FIRST * 2 ** max(0, attempts - 1))


def budget():
    """The real time until which a sweep that begins now may claim work."""
    return time.monotonic() + SEND_BUDGET_SECONDS


def claim_new(message, now):
    """A text being written by the sweep that processed its step, claimed for its first send."""
    message.status, message.next_attempt_at, message.attempts = "sending", now + LEASE, 1


def send_claimed(session, messages, now, sender, report):
    """Send texts written by `claim_new`, once their claim is committed; commit each answer.

    The step's clock was re-checked in the transaction that claimed them, just now: that is
    SPEC §4.2's re-check at claim, so the facts are not read again here.
    """
    for message in messages:
        _call_provider(session, message, now, sender, report)
        session.commit()


def deliver(session, now, sender, policy, report, until=None):
    """Send every message whose next attempt has come; reconcile every ambiguous one; claim
    nothing after `until` (time.monotonic(); default: the budget of a sweep beginning now)."""
    until = budget() if until is None else until
    while time.monotonic() < until and (claimed := claim_next_message(session, now)) is not None:
        message, was = claimed
        if was == "pending":
            _send(session, message, now, sender, policy, report)
        else:
            _reconcile(session, message, now, sender)
        session.commit()


def claim_next_message(session, now):
    """(message, the status it was claimed from), leased to this worker; or None.

    The claim is not committed here: the caller commits it before calling the provider.
    """
    while True:
        row = session.execute(
            select(Message.id, Message.status, Message.next_attempt_at)
            .where(Message.status.in_(WAITING), Message.next_attempt_at <= now)
            .order_by(Message.next_attempt_at, Message.id).limit(1).with_for_update(skip_locked=True)).first()
        if row is None:
            return None
        claimed = session.execute(
            update(Message).where(Message.id == row.id, Message.status == row.status,
                                  Message.next_attempt_at == row.next_attempt_at)
            .values(status="sending" if row.status == "pending" else "unknown",
                    next_attempt_at=now + LEASE)).rowcount == 1
        if claimed:
            return session.get(Message, row.id, populate_existing=True), row.status
        session.rollback()  # another worker took it between our read and our claim


def _send(session, message, now, sender, policy, report):
    # No stale texts: the step's clock is re-checked when its text is claimed for sending.
    reason = facts.reason_not_due(session, message.escalation_step, now, policy) if message.step_id else None
    if reason is not None:
        message.status, message.next_attempt_at = "cancelled", None
        message.error_message = f"not sent: {reason}"
        return
    message.attempts += 1
    session.commit()  # the claim and the attempt are on record before the provider is called
    _call_provider(session, message, now, sender, report)


def _call_provider(session, message, now, sender, report):
    try:
        sent = sender.send(message.to, message.body)
    except SmsError as error:
        _refused(session, message, now, error, report)
        return
    _attempt(session, message, now, "sent")
    _accepted(message, sent, now)
    report.sent.append(message)


def is_late(due_at, sent_at):
    return due_at is not None and sent_at - due_at > LATE_AFTER


def _accepted(message, sent, now):
    message.provider_sid = sent.sid
    message.status = PROVIDER_STATUS.get(sent.status, "sent")
    message.sent_at = now
    message.late = message.late or is_late(message.due_at, now)
    message.next_attempt_at = None
    message.error_code = message.error_message = None


def _refused(session, message, now, error, report):
    message.error_code, message.error_message = error.code, error.message
    if error.permanent or (not error.ambiguous and message.attempts >= MOST_ATTEMPTS):
        # An ambiguous one is never given up on unseen: it is reconciled first.
        _attempt(session, message, now, "permanent", error)
        message.status, message.next_attempt_at = "failed", None
        report.failed.append(message)
    elif error.ambiguous:
        _attempt(session, message, now, "unknown", error)
        message.status, message.next_attempt_at = "unknown", now + RECONCILE_AFTER
    else:
        _attempt(session, message, now, "retry", error)
        message.status, message.next_attempt_at = "pending", now + backoff(message.attempts)
    log.warning("SMS %s to %s: %s", message.id, message.to, error.message)


def _reconcile(session, message, now, sender):
    """Did an ambiguous send reach the provider? Look in its message list before any resend."""
    session.commit()  # the claim, before the provider is called
    # From the message's creation: no send of it can be older. (Not from its first attempt on
    # record: a send cut short by a dead worker leaves none, and a failed look records one later.)
    try:
        found = sender.find(message.to, message.body, message.created_at - MATCH_SLACK, now + MATCH_SLACK)
    except SmsError as error:
        _attempt(session, message, now, "unknown", error, detail=f"could not check: {error.message}")
        message.next_attempt_at = now + backoff(message.attempts)
        return
    if found is None or _sid_taken(session, found.sid):
        _attempt(session, message, now, "not_found", detail="not in the provider's message list")
        if message.attempts >= MOST_ATTEMPTS:
            message.status, message.next_attempt_at = "failed", None
            message.error_message = f"gave up after {message.attempts} attempts"
        else:  # it never got there: send it again now (the clock is re-checked first)
            message.status, message.next_attempt_at = "pending", now
        return
    _attempt(session, message, now, "reconciled", detail=f"found as {found.sid} ({found.status})")
    _accepted(message, found, now)
    message.sent_at = found.created_at or now


def _sid_taken(session, sid):
    return session.scalar(select(Message.id).where(Message.provider_sid == sid)) is not None


def _attempt(session, message, now, outcome, error=None, detail=None):
    session.add(MessageAttempt(
        message_id=message.id, attempted_at=now, outcome=outcome,
        http_status=getattr(error, "http_status", None), error_code=getattr(error, "code", None),
        detail=detail or (error.message if error else None)))

