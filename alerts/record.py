"""What the record of one child shows about texts (custody.record.record_sections)."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alerts.models import EscalationStep, Message
from custody.record import record_sections


def messages(session, detention, just_booked=False):
    if just_booked:  # texts are sent by the sweep, which cannot have seen the child yet
        return "messages", []
    return "messages", session.scalars(
        select(Message).where(Message.detention_id == detention.id)
        .options(selectinload(Message.contact)).order_by(Message.due_at, Message.id)).all()


def no_one_to_text(session, detention, just_booked=False):
    """Steps that fell due with nobody on duty for their role: never silent."""
    return "no_one_to_text", _steps(session, detention, "no_recipient", just_booked)


def steps_in_error(session, detention, just_booked=False):
    """Steps the sweep could not process and set aside: no text went, so say so."""
    return "steps_in_error", _steps(session, detention, "error", just_booked)


def _steps(session, detention, status, just_booked):
    if just_booked:  # the sweep sets these statuses, and cannot have seen the child yet
        return []
    return session.scalars(select(EscalationStep).where(EscalationStep.detention_id == detention.id,
                                                        EscalationStep.status == status)
                           .order_by(EscalationStep.due_at)).all()


record_sections.extend([messages, no_one_to_text, steps_in_error])
