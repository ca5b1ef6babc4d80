"""The live custody board: every child in custody and what is late for them, at a glance.

Everything the board shows is loaded in a fixed number of queries whatever the number of
children (one per kind of event, one for the texts), so a busy night does not slow it down.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alerts.summary import AlertSummary, alert_summaries
from custody.models import Detention, Suite

REVIEW_DUE_SOON = timedelta(minutes=30)  # amber: the inspector has half an hour to get there

SORTS = {
    "aa_wait": "Longest wait for an appropriate adult",
    "review_due": "Next review due",
    "arrived": "Longest in custody",
}


def minutes_between(start, end):
    return (end - start).total_seconds() / 60


@dataclass
class BoardRow:
    detention: Detention
    now: object
    alerts: AlertSummary

    @property
    def minutes_in_custody(self):
        return minutes_between(self.detention.arrived_at, self.now)

    @property
    def aa_status(self):
        """'attended', 'waiting' (a request is open) or 'not_requested' (none, or all cancelled)."""
        if self.detention.aa_arrived_at:
            return "attended"
        return "waiting" if any(r.open for r in self.detention.aa_requests) else "not_requested"

    @property
    def aa_wait_minutes(self):
        return self.detention.aa_wait_minutes(self.now)

    @property
    def review_status(self):
        """'overdue' (red), 'soon' (amber: due within 30 minutes) or 'ok'."""
        due = self.detention.next_review_due_at
        if self.now > due:
            return "overdue"
        return "soon" if due - self.now <= REVIEW_DUE_SOON else "ok"

    @property
    def minutes_to_review(self):
        return minutes_between(self.now, self.detention.next_review_due_at)

    @property
    def waiting_for_la(self):
        return [r for r in self.detention.accommodation_requests if r.responded_at is None]

    def sort_key(self, sort):
        if sort == "review_due":
            return (self.detention.next_review_due_at, self.detention.arrived_at)
        if sort == "arrived":
            return (self.detention.arrived_at,)
        # Children still waiting for an AA first, the longest wait at the top; then the rest.
        return (self.aa_status == "attended", -self.aa_wait_minutes, self.detention.arrived_at)


def board_rows(session, now, suite_code=None, sort="aa_wait"):
    query = (select(Detention).where(Detention.status == "in_custody")
             .options(selectinload(Detention.aa_requests), selectinload(Detention.reviews),
                      selectinload(Detention.referrals), selectinload(Detention.accommodation_requests),
                      selectinload(Detention.welfare_notification)))
    if suite_code:
        query = query.join(Suite).where(Suite.code == suite_code)
    detentions = session.scalars(query).all()
    summaries = alert_summaries(session, [d.id for d in detentions], now)
    rows = [BoardRow(d, now, summaries.get(d.id) or AlertSummary()) for d in detentions]
    return sorted(rows, key=lambda row: row.sort_key(sort if sort in SORTS else "aa_wait"))
