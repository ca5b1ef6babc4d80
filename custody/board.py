"""The live custody board: every child in custody and what is late for them, at a glance.

Everything the board shows is loaded in a fixed number of queries whatever the number of
children (one for the children with what is known of their events, one for the requests
waiting on a local authority, one per kind of text fact), so a busy night does not slow it down.
The board reads plain columns, not ORM objects: it is the page every suite keeps open, and
building 200 children with their events as objects cost more than everything else it does.
The clock rules are the ones the Detention model uses (custody.models), on those values.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select

from alerts.summary import AlertSummary, alert_summaries
from custody import models
from custody.models import (
    SOCIAL_CARE,
    AARequest,
    AccommodationRequest,
    Detention,
    Referral,
    Review,
    Suite,
    WelfareNotification,
)

REVIEW_DUE_SOON = timedelta(minutes=30)  # amber: the inspector has half an hour to get there

SORTS = {
    "aa_wait": "Longest wait for an appropriate adult",
    "review_due": "Next review due",
    "arrived": "Longest in custody",
}


def minutes_between(start, end):
    return (end - start).total_seconds() / 60


@dataclass(frozen=True)
class BoardSuite:
    code: str
    name: str
    timezone: str


@dataclass(frozen=True)
class WaitingForLA:
    local_authority: str
    requested_at: datetime


@dataclass
class BoardChild:
    """What the board shows of one child in custody, with the Detention model's names."""
    id: int
    reference: str
    forename: str
    surname: str
    age: int
    looked_after: bool
    needs: list
    arrived_at: datetime
    arrested_at: datetime | None
    detention_authorised_at: datetime
    released_at: datetime | None
    suite: BoardSuite
    aa_requested: bool               # any request, open, attended or cancelled
    aa_open: bool                    # a request neither attended nor cancelled
    aa_arrived_at: datetime | None   # the earliest arrival among the requests
    last_review_at: datetime | None  # the latest review held
    referred_to_social_care: bool
    welfare_informed_at: datetime | None
    waiting_for_la: list = field(default_factory=list)

    @property
    def relevant_time(self):
        return models.relevant_time(self.arrived_at, self.arrested_at)

    @property
    def detention_limit_at(self):
        return self.relevant_time + models.DETENTION_LIMIT

    @property
    def next_review_due_at(self):
        return models.review_due(self.detention_authorised_at, self.last_review_at)

    @property
    def referral_to_consider(self):
        return models.referral_to_consider(self.needs, self.referred_to_social_care)

    def aa_wait_minutes(self, now):
        return models.aa_wait_minutes(self.arrived_at, self.aa_arrived_at, self.released_at, now)


class BoardRow:
    """One child's row, its statuses worked out once (the template reads each several times)."""

    def __init__(self, detention, now, alerts):
        self.detention, self.now, self.alerts = detention, now, alerts
        self.minutes_in_custody = minutes_between(detention.arrived_at, now)
        # 'attended', 'waiting' (a request is open) or 'not_requested' (none, or all cancelled).
        self.aa_status = "attended" if detention.aa_arrived_at else "waiting" if detention.aa_open else "not_requested"
        self.aa_wait_minutes = detention.aa_wait_minutes(now)
        self.next_review_due_at = due = detention.next_review_due_at
        # 'overdue' (red), 'soon' (amber: due within 30 minutes) or 'ok'.
        self.review_status = "overdue" if now > due else "soon" if due - now <= REVIEW_DUE_SOON else "ok"
        self.minutes_to_review = minutes_between(now, due)
        self.waiting_for_la = detention.waiting_for_la

    def sort_key(self, sort):
        if sort == "review_due":
            return (self.next_review_due_at, self.detention.arrived_at)
        if sort == "arrived":
            return (self.detention.arrived_at,)
        # Children still waiting for an AA first, the longest wait at the top; then the rest.
        return (self.aa_status == "attended", -self.aa_wait_minutes, self.detention.arrived_at)


def _of_each_child(table, column):
    """A value per child from one of its event tables, as a column of the children's query."""
    return select(column).where(table.detention_id == Detention.id).scalar_subquery()


def _on_the_board(suite_code):
    """Who is on the board: the children in custody (at the one suite asked for)."""
    conditions = [Detention.status == "in_custody"]
    if suite_code:
        conditions.append(Detention.suite_id == select(Suite.id).where(Suite.code == suite_code).scalar_subquery())
    return conditions


def _children(session, on_board):
    """Every child on the board with what the board needs of its events, in one query."""
    query = (select(
        Detention.id, Detention.reference, Detention.forename, Detention.surname, Detention.age,
        Detention.looked_after, Detention.needs, Detention.arrived_at, Detention.arrested_at,
        Detention.detention_authorised_at, Detention.released_at, Suite.code, Suite.name, Suite.timezone,
        exists().where(AARequest.detention_id == Detention.id),
        exists().where(AARequest.detention_id == Detention.id, AARequest.arrived_at.is_(None),
                       AARequest.cancelled_at.is_(None)),
        _of_each_child(AARequest, func.min(AARequest.arrived_at)),
        _of_each_child(Review, func.max(Review.held_at)),
        exists().where(Referral.detention_id == Detention.id, Referral.service == SOCIAL_CARE),
        _of_each_child(WelfareNotification, WelfareNotification.informed_at),
    ).join(Suite, Detention.suite_id == Suite.id).where(*on_board))
    suites = {}
    children = []
    for (id_, reference, forename, surname, age, looked_after, needs, arrived_at, arrested_at, authorised_at,
         released_at, code, name, zone, aa_requested, aa_open, aa_arrived_at, last_review_at, referred, informed_at) \
            in session.execute(query):
        suite = suites.get(code) or suites.setdefault(code, BoardSuite(code, name, zone))
        children.append(BoardChild(id_, reference, forename, surname, age, looked_after, needs, arrived_at,
                                   arrested_at, authorised_at, released_at, suite, bool(aa_requested), bool(aa_open),
                                   aa_arrived_at, last_review_at, bool(referred), informed_at))
    return children


def _waiting_for_la(session, on_board):
    """{detention id: [requests the local authority has not answered]}, in the order made."""
    rows = session.execute(
        select(AccommodationRequest.detention_id, AccommodationRequest.local_authority,
               AccommodationRequest.requested_at)
        .join(Detention, AccommodationRequest.detention_id == Detention.id)
        .where(AccommodationRequest.responded_at.is_(None), *on_board)
        .order_by(AccommodationRequest.requested_at, AccommodationRequest.id))
    waiting = defaultdict(list)
    for detention_id, local_authority, requested_at in rows:
        waiting[detention_id].append(WaitingForLA(local_authority, requested_at))
    return waiting


def board_rows(session, now, suite_code=None, sort="aa_wait"):
    on_board = _on_the_board(suite_code)
    children = _children(session, on_board)
    waiting = _waiting_for_la(session, on_board)
    summaries = alert_summaries(session, [c.id for c in children], now)
    rows = []
    for child in children:
        child.waiting_for_la = waiting.get(child.id, [])
        rows.append(BoardRow(child, now, summaries.get(child.id) or AlertSummary()))
    return sorted(rows, key=lambda row: row.sort_key(sort if sort in SORTS else "aa_wait"))
