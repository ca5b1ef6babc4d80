"""What comes back from the provider: delivery statuses, and replies from people.

A reply from a known contact number, `ACK <code>` or `ETA <code> <minutes>`, acknowledges
every clock instance that contact's role was texted about for that child: reminders to that
role stop, and other roles still escalate. Anyone else, and anything else, gets the same
short help text, which says nothing about any child.
"""
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from alerts import texts
from alerts.delivery import PROVIDER_STATUS
from alerts.models import Acknowledgement, Contact, EscalationStep, InboundMessage, Message, OptOut
from custody.models import Detention

# Our statuses in the order a text moves through them; the last four are where it ends.
STATUS_RANK = {"pending": 0, "sending": 1, "unknown": 1, "sent": 2, "delivered": 3, "undelivered": 3,
               "failed": 3, "cancelled": 3}
FINAL = frozenset({"delivered", "undelivered", "failed", "cancelled"})
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP", "OPTIN"})
COMMAND = re.compile(r"^(ACK|ETA)\s+(\d{4})(?:\s+(\d{1,4})\s*(?:M|MIN|MINS|MINUTES)?)?$")
LONGEST_ETA = 24 * 60


def record_status(session, sid, provider_status, error_code=None):
    """A delivery status callback. A status never moves backwards; a final one never moves."""
    status = PROVIDER_STATUS.get((provider_status or "").lower())
    message = session.scalar(select(Message).where(Message.provider_sid == sid).with_for_update())
    if message is None or status is None:
        return None
    if message.status in FINAL or STATUS_RANK[status] <= STATUS_RANK[message.status]:
        return message
    message.status = status
    if status in ("undelivered", "failed"):
        message.error_code = error_code or message.error_code
        message.error_message = f"{status} (provider error {error_code or 'not given'})"
    return message


@dataclass(frozen=True)
class Command:
    kind: str                    # ack, eta, stop, start or help
    code: str | None = None
    minutes: int | None = None


def parse(body):
    words = " ".join((body or "").upper().split())
    if words in STOP_WORDS:
        return Command("stop")
    if words in START_WORDS:
        return Command("start")
    match = COMMAND.match(words)
    if match is None:
        return Command("help")
    kind, code, minutes = match.groups()
    if kind == "ETA" and (minutes is None or not 0 < int(minutes) <= LONGEST_ETA):
        return Command("help")
    return Command(kind.lower(), code, int(minutes) if kind == "ETA" else None)


def handle_inbound(session, sid, from_number, body, now):
    """Record a reply and act on it. Returns the text to answer with, or None for no answer."""
    inbound = InboundMessage(message_sid=sid, from_number=from_number, body=(body or "")[:1600],
                             received_at=now, action="help")
    try:
        with session.begin_nested():
            session.add(inbound)
    except IntegrityError:
        return None  # the provider delivered this reply before: it was handled then
    command = parse(body)
    if command.kind in ("stop", "start"):
        _opt(session, from_number, command.kind == "stop", now)
        inbound.action = command.kind
        return None  # the provider answers STOP/START itself
    contacts = session.scalars(select(Contact).where(Contact.phone == from_number, Contact.active)).all()
    if not contacts:
        inbound.action = "unknown_sender"
        return texts.HELP_REPLY
    if command.kind == "help":
        return texts.HELP_REPLY
    return _acknowledge(session, inbound, contacts, command, now)


def _opt(session, phone, opted_out, now):
    row = session.get(OptOut, phone)
    if row is None:
        session.add(OptOut(phone=phone, opted_out=opted_out, updated_at=now))
    else:
        row.opted_out, row.updated_at = opted_out, now


def _acknowledge(session, inbound, contacts, command, now):
    detention = session.scalar(select(Detention).where(
        Detention.sms_code == command.code, Detention.status == "in_custody"))
    by_role = {c.role: c for c in contacts}
    texted = _clocks_texted(session, detention, by_role) if detention else []
    if not texted:
        return texts.HELP_REPLY  # never confirm that a code belongs to a child
    for clock, instance, role in texted:
        session.add(Acknowledgement(detention_id=detention.id, clock=clock, instance=instance, role=role,
                                    contact_id=by_role[role].id, received_at=now, eta_minutes=command.minutes))
    _mark_messages(session, detention, texted, command.minutes, now)
    inbound.action, inbound.detention_id = command.kind, detention.id
    return texts.acknowledged_reply(command.code, command.minutes)


def _clocks_texted(session, detention, by_role):
    """(clock, instance, role) of every text to these roles about this child."""
    rows = session.execute(
        select(EscalationStep.clock, EscalationStep.instance, Message.role).join(
            EscalationStep, Message.step_id == EscalationStep.id)
        .where(Message.detention_id == detention.id, Message.role.in_(list(by_role)),
               Message.status != "cancelled").distinct()).all()
    return sorted(tuple(row) for row in rows)


def _mark_messages(session, detention, texted, minutes, now):
    keys = set(texted)
    rows = session.execute(
        select(Message, EscalationStep.clock, EscalationStep.instance)
        .join(EscalationStep, Message.step_id == EscalationStep.id)
        .where(Message.detention_id == detention.id)).all()
    for message, clock, instance in rows:
        if (clock, instance, message.role) in keys:
            message.acknowledged_at = message.acknowledged_at or now
            if minutes is not None:
                message.eta_minutes = minutes
