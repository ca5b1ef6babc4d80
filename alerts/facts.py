"""Reading what the rules need about one child: the detention with its facts, and the replies."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alerts import rules
from alerts.models import Acknowledgement
from custody.models import Detention


def detention_with_facts(session, detention_id):
    return session.scalar(select(Detention).where(Detention.id == detention_id).options(
        selectinload(Detention.aa_requests), selectinload(Detention.reviews),
        selectinload(Detention.accommodation_requests)))


def acknowledgements_for(session, detention_id):
    return session.scalars(select(Acknowledgement).where(Acknowledgement.detention_id == detention_id)).all()


def reason_not_due(session, step, now, policy):
    """The pure rule, asked about a stored step with the child's facts as now recorded."""
    detention = detention_with_facts(session, step.detention_id)
    return rules.reason_not_due(detention, acknowledgements_for(session, detention.id), policy,
                                step.clock, step.instance, step.step, now)
