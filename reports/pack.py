"""The figures of the fortnightly performance pack (SPEC §6), computed in the database.

Each figure is one aggregate query over the period's detentions (grouped by suite, so that
`by_suite` and the all-suites figure come from the same pass); medians and p90s come from
`reports.sql.distributions`. Python only adds the per-suite counts together, and looks at the
children still in custody (a handful, not the population) for the two figures that depend on
the time of asking. See the package docstring for what each figure means.
"""
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal_column, not_, select, text

from alerts.models import Message
from core.errors import invalid
from custody.models import (
    FIRST_REVIEW_AFTER,
    NEXT_REVIEW_AFTER,
    REVIEW_MODES,
    AARequest,
    AccommodationRequest,
    Certificate,
    Charge,
    Detention,
    Referral,
    Review,
    StripSearch,
    Suite,
    overnight,
)
from reports.period import Period
from reports.sql import ALL, Distribution, counted, distributions, epoch_minutes, minutes_between, one_decimal, percent

D = Detention
FAILED_STATUSES = ("failed", "undelivered")
EXCEPTION_KINDS = ("aa_late", "no_aa", "review_late", "not_transferred", "overnight", "strip_search_without_aa")


def in_period(period, suite=None):
    """The population: arrival at the suite within the period's local days (and the suite)."""
    conditions = [D.arrived_at >= period.start, D.arrived_at < period.end]
    if suite is not None:
        conditions.append(D.suite_id == suite.id)
    return conditions


def _exists(model, *conditions):
    return select(model.id).where(model.detention_id == D.id, *conditions).exists()


def _aa_attended():
    return _exists(AARequest, AARequest.arrived_at.isnot(None))


def _transferred():
    return _exists(AccommodationRequest, AccommodationRequest.transferred_at.isnot(None))


def _released():
    # Not `status = 'released'`: without statistics SQLite would walk the status index through
    # every released child in history instead of the period's arrivals.
    return D.released_at.isnot(None)


def _suite_grouped(values):
    return [D.suite_id.label("grp"), values.label("value")]


# -- Counts --------------------------------------------------------------------------------

DETENTION_COUNTS = ("children_detained", "aa_within_target", "released_without_aa", "needs_flagged",
                    "needs_flagged_referred", "overnight", "charged_bail_refused", "accommodation_requested",
                    "accommodation_secure", "accommodation_non_secure", "transferred", "certificates")


def _detention_counts(population, aa_target_minutes):
    released = _released()
    within_target = _exists(AARequest, AARequest.arrived_at.isnot(None),
                            minutes_between(D.arrived_at, AARequest.arrived_at) <= aa_target_minutes)
    referred = _exists(Referral, Referral.service == "childrens_social_care")
    bail_refused = _exists(Charge, Charge.bail == "refused")
    return select(
        D.suite_id, func.count(), counted(within_target), counted(and_(released, not_(_aa_attended()))),
        counted(D.has_needs), counted(and_(D.has_needs, referred)),
        counted(and_(released, D.overnight)),  # fixed at release; those still held are added after
        counted(bail_refused), counted(_exists(AccommodationRequest)),
        counted(_exists(AccommodationRequest, AccommodationRequest.type == "secure")),
        counted(_exists(AccommodationRequest, AccommodationRequest.type == "non_secure")),
        counted(and_(bail_refused, _transferred())), counted(_exists(Certificate)),
    ).where(*population).group_by(D.suite_id)


def _review_counts(population):
    return select(D.suite_id, Review.mode, func.count(), counted(Review.aa_present),
                  counted(Review.held_at > Review.due_at)) \
        .join(D, Review.detention_id == D.id).where(*population).group_by(D.suite_id, Review.mode)


def _strip_search_counts(population):
    return select(D.suite_id, func.count(), counted(not_(StripSearch.aa_present))) \
        .join(D, StripSearch.detention_id == D.id).where(*population).group_by(D.suite_id)


def _sms_counts(population):
    def texts(*conditions):  # per child, from the covering index: the period's children drive
        per_child = select(func.count()).where(Message.detention_id == D.id, *conditions).scalar_subquery()
        return func.coalesce(func.sum(per_child), 0)
    return select(D.suite_id, texts(Message.sent_at.isnot(None)), texts(Message.status.in_(FAILED_STATUSES)),
                  texts(Message.acknowledged_at.isnot(None))).where(*population).group_by(D.suite_id)


# -- Distributions -------------------------------------------------------------------------

def minutes_to_first_aa(column=AARequest.arrived_at):
    """Minutes from arrival at the suite to the child's earliest AA arrival (or request); NULL
    when there is none. A correlated lookup per child, so the planner walks the period's
    detentions and their index entries instead of joining every AA request ever made."""
    first = select(func.min(column)).where(AARequest.detention_id == D.id).scalar_subquery()
    return epoch_minutes(first) - epoch_minutes(D.arrived_at)


def _duration_sets(population):
    attended = AARequest.arrived_at.isnot(None)
    return {
        "minutes_to_aa_request": select(*_suite_grouped(minutes_to_first_aa(AARequest.requested_at)))
        .where(*population),
        "minutes_to_aa_arrival": select(*_suite_grouped(minutes_to_first_aa())).where(*population),
        "aa_response_minutes": select(*_suite_grouped(minutes_between(AARequest.requested_at, AARequest.arrived_at)))
        .join(D, AARequest.detention_id == D.id).where(*population, attended),
        "hours_in_custody": select(*_suite_grouped(minutes_between(D.arrived_at, D.released_at)))
        .where(*population, D.released_at.isnot(None)),
        "median_ack_minutes": select(*_suite_grouped(minutes_between(Message.sent_at, Message.acknowledged_at)))
        .join(D, Message.detention_id == D.id)
        .where(*population, Message.sent_at.isnot(None), Message.acknowledged_at.isnot(None)),
    }


# -- The children still in custody ---------------------------------------------------------

def still_in_custody(session, population):
    """The population's children not yet released (few at any time): their overnight flag is not
    fixed yet and their wait for an AA is still running."""
    return session.execute(
        select(D.id, D.reference, D.suite_id, Suite.code.label("suite"), Suite.timezone, D.arrived_at,
               _aa_attended().label("aa_attended"))
        .join(Suite, D.suite_id == Suite.id).where(*population, D.status == "in_custody")).all()


def held_overnight_so_far(row, now):
    return overnight(row.arrived_at, now, ZoneInfo(row.timezone))


# -- Figures -------------------------------------------------------------------------------

class _Group:
    """The raw counts for one suite (or all suites), turned into the pack's keys."""

    def __init__(self):
        self.detentions = dict.fromkeys(DETENTION_COUNTS, 0)
        self.reviews = dict.fromkeys(REVIEW_MODES, 0)
        self.reviews_aa_present = self.reviews_late = 0
        self.strip_searches = self.strip_searches_without_aa = 0
        self.sms = {"sent": 0, "failed": 0, "acknowledged": 0}
        self.durations = {}

    def figures(self):
        d, durations = self.detentions, self.durations
        children = d["children_detained"]
        reviews_total = sum(self.reviews.values())

        def spread(key, *parts):
            return durations.get(key, Distribution.empty()).as_dict(*parts)
        return {
            "children_detained": children,
            "minutes_to_aa_request": spread("minutes_to_aa_request", "median", "p90"),
            "minutes_to_aa_arrival": spread("minutes_to_aa_arrival", "median", "p90", "max"),
            "aa_response_minutes": spread("aa_response_minutes", "median", "p90"),
            "aa_within_target_pct": percent(d["aa_within_target"], children),
            "released_without_aa": d["released_without_aa"],
            "reviews_total": reviews_total,
            "reviews_in_person_pct": percent(self.reviews["in_person"], reviews_total),
            "reviews_aa_present_pct": percent(self.reviews_aa_present, reviews_total),
            "reviews_late": self.reviews_late,
            "reviews_by_mode": dict(self.reviews),
            "needs_flagged": d["needs_flagged"],
            "needs_flagged_referred_pct": percent(d["needs_flagged_referred"], d["needs_flagged"]),
            "overnight": d["overnight"],
            "overnight_pct": percent(d["overnight"], children),
            "charged_bail_refused": d["charged_bail_refused"],
            "accommodation_requested": d["accommodation_requested"],
            "accommodation_secure": d["accommodation_secure"],
            "accommodation_non_secure": d["accommodation_non_secure"],
            "transferred": d["transferred"],
            "transferred_pct": percent(d["transferred"], d["charged_bail_refused"]),
            "certificates": d["certificates"],
            "strip_searches": self.strip_searches,
            "strip_searches_without_aa": self.strip_searches_without_aa,
            "hours_in_custody": durations.get("hours_in_custody", Distribution.empty()).scaled(60)
            .as_dict("median", "p90"),
            "sms": {**self.sms, "median_ack_minutes": spread("median_ack_minutes", "median")["median"]},
        }


def figures(session, period, suites, now, aa_target_minutes, suite=None):
    """{ALL: figures, suite_id: figures} for one period."""
    population = in_period(period, suite)
    groups = {ALL: _Group(), **{s.id: _Group() for s in suites}}

    def group(suite_id):
        return groups.setdefault(suite_id, _Group())

    for suite_id, *counts in session.execute(_detention_counts(population, aa_target_minutes)):
        for target in (group(suite_id), groups[ALL]):
            for key, value in zip(DETENTION_COUNTS, counts, strict=True):
                target.detentions[key] += int(value)
    for suite_id, mode, total, aa_present, late in session.execute(_review_counts(population)):
        for target in (group(suite_id), groups[ALL]):
            target.reviews[mode] = target.reviews.get(mode, 0) + int(total)
            target.reviews_aa_present += int(aa_present)
            target.reviews_late += int(late)
    for suite_id, total, without_aa in session.execute(_strip_search_counts(population)):
        for target in (group(suite_id), groups[ALL]):
            target.strip_searches += int(total)
            target.strip_searches_without_aa += int(without_aa)
    for suite_id, *sms in session.execute(_sms_counts(population)):
        for target in (group(suite_id), groups[ALL]):
            for key, value in zip(("sent", "failed", "acknowledged"), sms, strict=True):
                target.sms[key] += int(value)
    for key, values in _duration_sets(population).items():
        for grp, distribution in distributions(session, values).items():
            group(grp).durations[key] = distribution
    for row in still_in_custody(session, population):
        if held_overnight_so_far(row, now):
            group(row.suite_id).detentions["overnight"] += 1
            groups[ALL].detentions["overnight"] += 1
    return {grp: g.figures() for grp, g in groups.items()}


# -- Exceptions ----------------------------------------------------------------------------

def _minutes(start, end):
    return one_decimal((end - start).total_seconds() / 60)


def _rows(session, statement):
    return session.execute(statement.join(Suite, D.suite_id == Suite.id)).all()


def _exception(row, kind, minutes):
    return {"detention_id": row.id, "reference": row.reference, "suite": row.suite, "kind": kind,
            "minutes": minutes}


def _identity():
    return D.id, D.reference, Suite.code.label("suite")


def exceptions(session, period, now, aa_target_minutes, suite=None):
    """One row per breach in the period, worst first within each kind."""
    population = in_period(period, suite)
    held = still_in_custody(session, population)
    found = []

    late_aa = select(*_identity(), minutes_to_first_aa().label("minutes")) \
        .join(Suite, D.suite_id == Suite.id).where(*population).subquery()
    found += [_exception(r, "aa_late", one_decimal(r.minutes)) for r in session.execute(
        select(late_aa).where(late_aa.c.minutes > aa_target_minutes))]
    found += [_exception(r, "aa_late", _minutes(r.arrived_at, now)) for r in held
              if not r.aa_attended and _minutes(r.arrived_at, now) > aa_target_minutes]

    released = _released()
    no_aa = select(*_identity(), D.arrived_at, D.released_at).where(*population, released, not_(_aa_attended()))
    found += [_exception(r, "no_aa", _minutes(r.arrived_at, r.released_at)) for r in _rows(session, no_aa)]

    found += _late_reviews(session, population)

    not_transferred = select(*_identity(), Charge.charged_at, D.released_at) \
        .join(Charge, Charge.detention_id == D.id).where(*population, Charge.bail == "refused", not_(_transferred()))
    found += [_exception(r, "not_transferred", _minutes(r.charged_at, r.released_at or now))
              for r in _rows(session, not_transferred)]

    nights = select(*_identity(), D.arrived_at, D.released_at).where(*population, released, D.overnight)
    found += [_exception(r, "overnight", _minutes(r.arrived_at, r.released_at)) for r in _rows(session, nights)]
    found += [_exception(r, "overnight", _minutes(r.arrived_at, now)) for r in held if held_overnight_so_far(r, now)]

    searches = select(*_identity()).join(StripSearch, StripSearch.detention_id == D.id) \
        .where(*population, not_(StripSearch.aa_present)).order_by(StripSearch.searched_at)
    found += [_exception(r, "strip_search_without_aa", None) for r in _rows(session, searches)]

    return sorted(found, key=_exception_order)


def _late_reviews(session, population):
    held_late = select(*_identity(), Review.due_at, Review.held_at) \
        .join(Review, Review.detention_id == D.id).where(*population, Review.held_at > Review.due_at)
    rows = [_exception(r, "review_late", _minutes(r.due_at, r.held_at)) for r in _rows(session, held_late)]

    # Released while the next review was already overdue: it was never held.
    last_held = select(func.max(Review.held_at)).where(Review.detention_id == D.id).scalar_subquery()
    next_due = func.coalesce(epoch_minutes(last_held) + NEXT_REVIEW_AFTER.total_seconds() / 60,
                             epoch_minutes(D.detention_authorised_at) + FIRST_REVIEW_AFTER.total_seconds() / 60)
    missed = select(*_identity(), D.detention_authorised_at, D.released_at, last_held.label("last_held")) \
        .where(*population, _released(), epoch_minutes(D.released_at) > next_due)
    for r in _rows(session, missed):
        due = r.last_held + NEXT_REVIEW_AFTER if r.last_held else r.detention_authorised_at + FIRST_REVIEW_AFTER
        rows.append(_exception(r, "review_late", _minutes(due, r.released_at)))
    return rows


def _exception_order(row):
    minutes = row["minutes"]
    return (EXCEPTION_KINDS.index(row["kind"]), minutes is None, -(minutes or 0), row["reference"])


# -- The pack ------------------------------------------------------------------------------

def performance_pack(session, period, now, aa_target_minutes, suite=None):
    """Every key of SPEC §6 for the period, each suite, and the equally long period before."""
    if session.get_bind().dialect.name == "postgresql":
        # The pack's queries are many index lookups that run in milliseconds, but their estimated
        # cost trips PostgreSQL's JIT, whose compiling took longer (~85 ms a query) than running.
        session.execute(text("SET LOCAL jit = off"))
    suites = [suite] if suite else session.scalars(select(Suite).order_by(Suite.code)).all()
    current = figures(session, period, suites, now, aa_target_minutes, suite)
    previous = period.previous()
    before = figures(session, previous, suites, now, aa_target_minutes, suite)
    return {
        "from": period.first, "to": period.last, "suite": suite.code if suite else None,
        "aa_target_minutes": aa_target_minutes, "generated_at": now,
        **current[ALL],
        "by_suite": {s.code: current[s.id] for s in suites},
        "previous_period": {"from": previous.first, "to": previous.last, **before[ALL]},
        "exceptions": exceptions(session, period, now, aa_target_minutes, suite),
    }




# -- For the charts ------------------------------------------------------------------------

AA_WAIT_BANDS = ((30, "0–30m"), (60, "30–60m"), (120, "1–2h"), (240, "2–4h"), (480, "4–8h"), (720, "8–12h"),
                 (None, "12h+"))
NO_AA = "No AA"


def aa_wait_bands(session, period, suite=None):
    """How many children waited how long from arrival to the AA's arrival, and how many saw none."""
    waits = select(minutes_to_first_aa().label("minutes")).where(*in_period(period, suite)).subquery()
    limits = [(waits.c.minutes <= literal_column(str(limit)), index)
              for index, (limit, _) in enumerate(AA_WAIT_BANDS) if limit is not None]
    banded = select(case(*limits, (waits.c.minutes.isnot(None), len(AA_WAIT_BANDS) - 1),
                         else_=len(AA_WAIT_BANDS)).label("band")).subquery()
    counts = dict(session.execute(select(banded.c.band, func.count()).group_by(banded.c.band)).all())
    labels = [label for _, label in AA_WAIT_BANDS] + [NO_AA]
    return [(label, int(counts.get(index, 0))) for index, label in enumerate(labels)]


def aa_wait_by_fortnight(session, period, suite=None, fortnights=13):
    """Median and p90 of minutes to AA arrival for each fortnight ending with the period (about six months)."""
    periods = period.fortnights_back(fortnights)
    window = [D.arrived_at >= periods[0].start, D.arrived_at < periods[-1].end]
    if suite is not None:
        window.append(D.suite_id == suite.id)
    fortnight = case(*[(D.arrived_at < one.end, index) for index, one in enumerate(periods)])
    values = select(fortnight.label("grp"), minutes_to_first_aa().label("value")).where(*window)
    found = distributions(session, values)
    return [(one, found.get(index, Distribution.empty())) for index, one in enumerate(periods)]


def suite_named(session, code):
    """The suite a pack is asked for; a closed suite still has its history reported."""
    if not code:
        return None
    suite = session.scalar(select(Suite).where(Suite.code == code.strip().upper()))
    if suite is None:
        raise invalid("suite", f"There is no custody suite with the code {code!r}.")
    return suite


def requested_period(first, last, now, zone):
    """The days asked for, or the last complete fortnight when none were."""
    if first is None:
        return Period.last_complete_fortnight(now, zone)
    return Period(first, last, zone)
