"""Contacts, the escalation outbox and the SMS log (SPEC §4).

An escalation step due for a child is a row in `escalation_steps` before it is anything else;
its unique key (detention, clock, clock instance, step) is what makes a second firing
impossible, whichever worker gets there. Each text to a person is a row in `messages`, written
*before* the provider is called, unique per step and number.
"""
from datetime import datetime, time

from sqlalchemy import ForeignKey, Index, String, Text, Time, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db

CONTACT_ROLES = ("aa_scheme", "aa_scheme_coordinator", "custody_inspector", "duty_superintendent",
                 "local_authority_edt")
STEP_STATUSES = ("pending", "claimed", "done", "cancelled", "no_recipient", "error")
MESSAGE_STATUSES = ("pending", "sending", "unknown", "sent", "delivered", "undelivered", "failed", "cancelled")


class Contact(db.Model):
    """Someone on a suite's escalation chain. A window (local HH:MM) lets a day line and an
    out-of-hours line share a role; both empty means always."""
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_suite_role", "suite_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    suite_id: Mapped[int] = mapped_column(ForeignKey("suites.id"))
    role: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    window_start: Mapped[time | None] = mapped_column(Time)
    window_end: Mapped[time | None] = mapped_column(Time)
    active: Mapped[bool] = mapped_column(default=True)

    suite = relationship("Suite")


class EscalationStep(db.Model):
    """One step of one clock instance for one child, due at an instant (the outbox)."""
    __tablename__ = "escalation_steps"
    __table_args__ = (
        UniqueConstraint("detention_id", "clock", "instance", "step"),
        # The sweep reads only what is due: pending rows by due time.
        Index("ix_escalation_steps_pending_due", "due_at", postgresql_where=text("status = 'pending'"),
              sqlite_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = mapped_column(ForeignKey("detentions.id"), index=True)
    clock: Mapped[str] = mapped_column(String(40))
    instance: Mapped[str] = mapped_column(String(40))   # e.g. the AA request id, the review number
    step: Mapped[int]                                   # index of the step in the policy
    role: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(Text)   # why cancelled / who was texted

    detention = relationship("Detention")


class Message(db.Model):
    """One text to one number: the SMS log (GET /api/v1/messages)."""
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("step_id", "to"),
        Index("ix_messages_detention", "detention_id"),
        # The performance pack counts each child's texts from this index alone (migration 0004).
        Index("ix_messages_detention_times", "detention_id", "sent_at", "acknowledged_at", "status"),
        Index("ix_messages_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("escalation_steps.id"))
    detention_id: Mapped[int | None] = mapped_column(ForeignKey("detentions.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    clock: Mapped[str | None] = mapped_column(String(40))
    step: Mapped[int | None]
    role: Mapped[str | None] = mapped_column(String(40))
    to: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    due_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    late: Mapped[bool] = mapped_column(default=False)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    eta_minutes: Mapped[int | None]
    created_at: Mapped[datetime]

    contact = relationship("Contact")
    escalation_step = relationship("EscalationStep")


class MessageAttempt(db.Model):
    """Every call to the provider, whatever came of it."""
    __tablename__ = "message_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    attempted_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20))   # sent, retry, permanent, unknown, reconciled
    http_status: Mapped[int | None]
    error_code: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)


class Acknowledgement(db.Model):
    """A person replied ACK/ETA: reminders to that role for that clock instance stop."""
    __tablename__ = "acknowledgements"
    __table_args__ = (Index("ix_acknowledgements_clock", "detention_id", "clock", "instance", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = mapped_column(ForeignKey("detentions.id"))
    clock: Mapped[str] = mapped_column(String(40))
    instance: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(40))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    received_at: Mapped[datetime]
    eta_minutes: Mapped[int | None]


class InboundMessage(db.Model):
    """A reply received from Twilio, deduplicated on its MessageSid."""
    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_number: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(20))   # ack, eta, stop, start, help, unknown_sender
    detention_id: Mapped[int | None] = mapped_column(ForeignKey("detentions.id"))


class OptOut(db.Model):
    """STOP/START replies: a number that opted out is not texted (the provider refuses anyway)."""
    __tablename__ = "opt_outs"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    opted_out: Mapped[bool]
    updated_at: Mapped[datetime]


class WorkerHeartbeat(db.Model):
    """The last completed sweep per worker, for /healthz and the 'no sweep' banner."""
    __tablename__ = "worker_heartbeats"

    worker: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_sweep_at: Mapped[datetime]
    last_sweep_sent: Mapped[int] = mapped_column(default=0)
