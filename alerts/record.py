"""What the record of one child shows about texts (custody.record.record_sections)."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alerts.models import EscalationStep, Message
from custody.record import record_sections


def messages(session, detention):
    return "messages", session.scalars(
        select(Message).where(Message.detention_id == detention.id)
        .options(selectinload(Message.contact)).order_by(Message.due_at, Message.id)).all()


def no_one_to_text(session, detention):
    """Steps that fell due with nobody on duty for their role: never silent."""
    return "no_one_to_text", session.scalars(
        select(EscalationStep).where(EscalationStep.detention_id == detention.id,
                                     EscalationStep.status == "no_recipient")
        .order_by(EscalationStep.due_at)).all()


record_sections.extend([messages, no_one_to_text])
