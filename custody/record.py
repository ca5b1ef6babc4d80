"""The whole record of one child's custody, as the API and the record page show it."""
from sqlalchemy import select

from custody.audit import AuditEvent

# Other areas add what they know about a detention (e.g. the texts sent) through these.
# Each is called as provider(session, detention, just_booked) and returns (key, value).
# just_booked: the child was booked in by this very request, so no other transaction can
# have recorded anything about them yet (a booking's response need not ask the database).
record_sections = []


class DetentionRecord:
    """A detention with its clocks, timeline and whatever other areas contribute."""

    def __init__(self, detention, now, session, just_booked=False):
        self._detention = detention
        self.clocks = {
            "aa_wait_minutes": detention.aa_wait_minutes(now),
            "aa_arrived_at": detention.aa_arrived_at,
            "next_review_due_at": detention.next_review_due_at,
            "review_overdue": detention.review_overdue(now),
            "relevant_time": detention.relevant_time,
            "detention_limit_at": detention.detention_limit_at,
        }
        self.timeline = session.scalars(
            select(AuditEvent).where(AuditEvent.detention_id == detention.id).order_by(AuditEvent.id)).all()
        self.messages = []
        for provider in record_sections:
            key, value = provider(session, detention, just_booked)
            setattr(self, key, value)

    def __getattr__(self, name):
        return getattr(self._detention, name)
