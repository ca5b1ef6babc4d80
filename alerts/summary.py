"""What the custody board and the record show about texts for each child.

One query per kind of fact for the whole board (never one per child), in chunks so a very
full board stays within SQLite's limit on bound parameters.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from alerts.models import Acknowledgement, Contact, EscalationStep, Message

SENT = ("sent", "delivered")
FAILED = ("failed", "undelivered")
CHUNK = 500


@dataclass
class AlertSummary:
    sent: int = 0                     # texts sent (or delivered) about this child
    acknowledged: int = 0             # of those, acknowledged by a reply
    eta_minutes: int | None = None    # the latest ETA given by reply, if any
    eta_at: datetime | None = None    # when that ETA runs out
    no_one_to_text: list[str] = field(default_factory=list)   # roles with no contact in range
    failed: list[str] = field(default_factory=list)           # permanent failures, described


def alert_summaries(session, detention_ids, now):
    """{detention_id: AlertSummary} for the board, in one query per kind of fact."""
    ids = list(dict.fromkeys(detention_ids))
    summaries = {detention_id: AlertSummary() for detention_id in ids}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        _count_texts(session, chunk, summaries)
        _describe_failures(session, chunk, summaries)
        _roles_with_no_one(session, chunk, summaries)
        _latest_etas(session, chunk, summaries)
    return summaries


def _count_texts(session, ids, summaries):
    rows = session.execute(
        select(Message.detention_id, func.count(), func.count(Message.acknowledged_at))
        .where(Message.detention_id.in_(ids), Message.status.in_(SENT)).group_by(Message.detention_id))
    for detention_id, sent, acknowledged in rows:
        summaries[detention_id].sent, summaries[detention_id].acknowledged = sent, acknowledged


def _describe_failures(session, ids, summaries):
    rows = session.execute(
        select(Message.detention_id, Message.role, Contact.name, Message.error_message)
        .outerjoin(Contact, Message.contact_id == Contact.id)
        .where(Message.detention_id.in_(ids), Message.status.in_(FAILED)).order_by(Message.id))
    for detention_id, role, name, error in rows:
        summaries[detention_id].failed.append(f"{role} ({name or 'unknown'}): {error or 'not delivered'}")


def _roles_with_no_one(session, ids, summaries):
    rows = session.execute(
        select(EscalationStep.detention_id, EscalationStep.role)
        .where(EscalationStep.detention_id.in_(ids), EscalationStep.status == "no_recipient")
        .distinct().order_by(EscalationStep.role))
    for detention_id, role in rows:
        summaries[detention_id].no_one_to_text.append(role)


def _latest_etas(session, ids, summaries):
    rows = session.execute(
        select(Acknowledgement.detention_id, Acknowledgement.eta_minutes, Acknowledgement.received_at)
        .where(Acknowledgement.detention_id.in_(ids), Acknowledgement.eta_minutes.is_not(None))
        .order_by(Acknowledgement.received_at, Acknowledgement.id))
    for detention_id, minutes, received_at in rows:  # later rows overwrite: the latest ETA wins
        summaries[detention_id].eta_minutes = minutes
        summaries[detention_id].eta_at = received_at + timedelta(minutes=minutes)
