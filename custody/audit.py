"""The append-only audit trail (SPEC §3.9): every create and change, who, when, before/after.

Rows are only ever inserted. A flush that would update or delete one is refused, so no code
path, however written, can rewrite a child's history.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.clock import iso_utc
from core.db import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_detention", "detention_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int | None] = mapped_column(ForeignKey("detentions.id"))
    entity: Mapped[str] = mapped_column(String(40))       # e.g. "aa_request"
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))       # e.g. "created", "amended", "arrived"
    occurred_at: Mapped[datetime | None]                  # the event's own time, when it has one
    recorded_at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    user = relationship("User", lazy="joined")


class AuditRewriteError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_rewrites(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditRewriteError("audit events are append-only")


def jsonable(value):
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj, fields):
    return {f: jsonable(getattr(obj, f)) for f in fields}


def record(session, *, user, now, entity, entity_id, action, detention_id=None, occurred_at=None,
           before=None, after=None, reason=None):
    session.add(AuditEvent(detention_id=detention_id, entity=entity, entity_id=entity_id, action=action,
                           occurred_at=occurred_at, recorded_at=now, user_id=user.id if user else None,
                           reason=reason, before=before, after=after))


def changes(before, after):
    """Only the fields that changed, as (before, after) dicts."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record_amendment(session, *, before, after, **event):
    """An "amended" event with only the fields that changed; nothing when none did.
    True when something changed. `event`: as for `record` (user, now, entity, entity_id, ...)."""
    changed_before, changed_after = changes(before, after)
    if changed_after:
        record(session, action="amended", before=changed_before, after=changed_after, **event)
    return bool(changed_after)
