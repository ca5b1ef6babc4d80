"""What the custody board and the record show about texts for each child.

One query per kind of fact for the whole board (never one per child). PostgreSQL gets the
children's ids as one array parameter (`= ANY(...)`): a list of 200 parameters cost it more
than the queries themselves. SQLite gets them as `IN (...)`, in chunks so a very full board
stays within its limit on bound parameters.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Integer, any_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

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
    as_array = session.get_bind().dialect.name == "postgresql"
    size = max(len(ids), 1) if as_array else CHUNK
    for start in range(0, len(ids), size):
        among = _one_of(ids[start:start + size], as_array)
        _count_texts(session, among, summaries)
        _describe_failures(session, among, summaries)
        _roles_with_no_one(session, among, summaries)
        _latest_etas(session, among, summaries)
    return summaries


def _one_of(ids, as_array):
    """column -> the condition that it is one of `ids`."""
    if as_array:
        array = literal(ids, ARRAY(Integer))
        return lambda column: column == any_(array)
    return lambda column: column.in_(ids)


def _count_texts(session, among, summaries):
    rows = session.execute(
        select(Message.detention_id, func.count(), func.count(Message.acknowledged_at))
        .where(among(Message.detention_id), Message.status.in_(SENT)).group_by(Message.detention_id))
    for detention_id, sent, acknowledged in rows:
        summaries[detention_id].sent, summaries[detention_id].acknowledged = sent, acknowledged


def _describe_failures(session, among, summaries):
    rows = session.execute(
        select(Message.detention_id, Message.role, Contact.name, Message.error_message)
        .outerjoin(Contact, Message.contact_id == Contact.id)
        .where(among(Message.detention_id), Message.status.in_(FAILED)).order_by(Message.id))
    for detention_id, role, name, error in rows:
        summaries[detention_id].failed.append(f"{role} ({name or 'unknown'}): {error or 'not delivered'}")


def _roles_with_no_one(session, among, summaries):
    """Steps that sent nothing: no one on duty for the role, or set aside by the sweep with an error."""
    rows = session.execute(
        select(EscalationStep.detention_id, EscalationStep.role, EscalationStep.status)
        .where(among(EscalationStep.detention_id), EscalationStep.status.in_(("no_recipient", "error")))
        .distinct().order_by(EscalationStep.role))
    for detention_id, role, status in rows:
        if status == "error":
            summaries[detention_id].failed.append(f"{role}: not sent, the text could not be prepared")
        else:
            summaries[detention_id].no_one_to_text.append(role)


def _latest_etas(session, among, summaries):
    rows = session.execute(
        select(Acknowledgement.detention_id, Acknowledgement.eta_minutes, Acknowledgement.received_at)
        .where(among(Acknowledgement.detention_id), Acknowledgement.eta_minutes.is_not(None))
        .order_by(Acknowledgement.received_at, Acknowledgement.id))
    for detention_id, minutes, received_at in rows:  # later rows overwrite: the latest ETA wins
        summaries[detention_id].eta_minutes = minutes
        summaries[detention_id].eta_at = received_at + timedelta(minutes=minutes)
