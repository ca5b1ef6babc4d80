"""Planning: when a child's facts change, write every step the rules say may fall due.

Runs inside the transaction that recorded the fact (a `custody.signals.facts_changed`
receiver), so a fact and the deadlines it creates are committed together or not at all.
The unique key (detention, clock, instance, step) decides what is new; a step already done,
cancelled or found with no recipient is never put back to pending.
"""
from flask import current_app
from sqlalchemy import and_, literal_column
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from alerts import rules
from alerts.models import EscalationStep
from custody.signals import facts_changed

FACT_RELATIONSHIPS = ("aa_requests", "reviews", "accommodation_requests")


def plan_steps(session, detention, policy, booked=False):
    """Insert the steps not yet planned; move a still-pending step when an amended fact moved it.

    `booked`: the child was just booked in, so has no facts beyond the booking to read back."""
    session.flush()  # new facts need their ids: an AA request's id names its call-out clock
    if not booked:
        session.expire(detention, FACT_RELATIONSHIPS)  # read them back as stored, in time order
    rows = [{"detention_id": detention.id, "clock": p.clock, "instance": p.instance, "step": p.step,
             "role": p.role, "due_at": p.due_at, "status": "pending"} for p in rules.plan(detention, policy)]
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(EscalationStep).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["detention_id", "clock", "instance", "step"],
        set_={"due_at": statement.excluded.due_at},
        where=and_(EscalationStep.status == literal_column("'pending'"),
                   EscalationStep.due_at != statement.excluded.due_at))
    session.execute(statement)
    return len(rows)


@facts_changed.connect
def _on_facts_changed(detention, session, now, booked=False, **_):
    plan_steps(session, detention, current_app.extensions["alerts"].policy, booked)
