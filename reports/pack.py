"""The figures of the fortnightly performance pack (SPEC §6), computed in the database.

The figures are a few aggregate queries over the period's detentions, grouped by suite so that
`by_suite` and the all-suites figure come from the same pass: one over the children (one row
each, every child table aggregated per child and joined), and one each over reviews, strip
searches, texts, AA responses and acknowledgements; medians and p90s come from
`reports.sql.grouped_figures`. Python only adds per-suite counts together, and looks at the
children still in custody (a handful, not the population) for the two figures that depend on
the time of asking. The exceptions are one query, rounded and ordered by the database. See the
package docstring for what each figure means.
"""
from array import array
from collections.abc import Sequence
from itertools import islice
from math import nan as NAN
from zoneinfo import ZoneInfo

from sqlalchemy import Float, and_, case, cast, func, literal, literal_column, not_, null, select, text, union_all

from alerts.models import Message
from core.db import UTCDateTime
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
from reports.sql import (
    ALL,
    Distribution,
    counted,
    distributions,
    epoch_minutes,
    grouped_figures,
    minutes_between,
    minutes_to_one_decimal,
    one_decimal,
    percent,
)

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


# -- Each child of the population -----------------------------------------------------------

def _per_detention(model, population, *columns, conditions=()):
    """`model`'s rows aggregated per detention of the population (only those with such rows).
    A join restricted to the population, not a lookup per child: PostgreSQL finds a fortnight's
    children by index and hashes ten years of them in one pass."""
    return select(model.detention_id.label("id"), *columns).join(D, model.detention_id == D.id) \
        .where(*population, *conditions).group_by(model.detention_id).subquery()


def first_aa(population):
    """Per detention with an AA request: its earliest request and earliest AA arrival."""
    return _per_detention(AARequest, population, func.min(AARequest.requested_at).label("first_request"),
                          func.min(AARequest.arrived_at).label("first_arrival"))


DETENTION_COUNTS = ("children_detained", "aa_within_target", "released_without_aa", "needs_flagged",
                    "needs_flagged_referred", "overnight", "charged_bail_refused", "accommodation_requested",
                    "accommodation_secure", "accommodation_non_secure", "transferred", "certificates")
CHILD_DURATIONS = ("minutes_to_aa_request", "minutes_to_aa_arrival", "hours_in_custody")


def _children(population, aa_target_minutes):
    """One row per detention of the population: a 0/1 column for each count of DETENTION_COUNTS
    and its durations (NULL when it has none), so that every per-child figure is one pass."""
    aa = first_aa(population)
    referred = _per_detention(Referral, population, conditions=(Referral.service == "childrens_social_care",))
    refused = _per_detention(Charge, population, conditions=(Charge.bail == "refused",))
    accommodation = _per_detention(
        AccommodationRequest, population, *[func.max(case((condition, 1), else_=0)).label(name) for name, condition in (
            ("secure", AccommodationRequest.type == "secure"), ("non_secure", AccommodationRequest.type == "non_secure"),
            ("transferred", AccommodationRequest.transferred_at.isnot(None)))])
    certified = _per_detention(Certificate, population)
    released, bail_refused = _released(), refused.c.id.isnot(None)
    to_arrival = minutes_between(D.arrived_at, aa.c.first_arrival)
    flags = {
        "children_detained": literal_column("1"),
        "aa_within_target": to_arrival <= aa_target_minutes,
        "released_without_aa": and_(released, aa.c.first_arrival.is_(None)),
        "needs_flagged": D.has_needs,
        "needs_flagged_referred": and_(D.has_needs, referred.c.id.isnot(None)),
        "overnight": and_(released, D.overnight),  # fixed at release; those still held are added after
        "charged_bail_refused": bail_refused,
        "accommodation_requested": accommodation.c.id.isnot(None),
        "accommodation_secure": accommodation.c.secure == 1,
        "accommodation_non_secure": accommodation.c.non_secure == 1,
        "transferred": and_(bail_refused, accommodation.c.transferred == 1),
        "certificates": certified.c.id.isnot(None),
    }
    return select(
        D.suite_id.label("grp"),
        *[(flag if name == "children_detained" else case((flag, 1), else_=0)).label(name)
          for name, flag in flags.items()],
        minutes_between(D.arrived_at, aa.c.first_request).label("minutes_to_aa_request"),
        to_arrival.label("minutes_to_aa_arrival"),
        minutes_between(D.arrived_at, D.released_at).label("hours_in_custody"),
    ).select_from(D).outerjoin(aa, aa.c.id == D.id).outerjoin(referred, referred.c.id == D.id) \
        .outerjoin(refused, refused.c.id == D.id).outerjoin(accommodation, accommodation.c.id == D.id) \
        .outerjoin(certified, certified.c.id == D.id).where(*population)


def _review_counts(population):
    return select(D.suite_id, Review.mode, func.count(), counted(Review.aa_present),
                  counted(Review.held_at > Review.due_at)) \
        .join(D, Review.detention_id == D.id).where(*population).group_by(D.suite_id, Review.mode)


def _strip_search_counts(population):
    return select(D.suite_id, func.count(), counted(not_(StripSearch.aa_present))) \
        .join(D, StripSearch.detention_id == D.id).where(*population).group_by(D.suite_id)


def _sms_counts(population):
    # A join, so that PostgreSQL can choose: the covering index per child for a fortnight, one
    # hash join for years (a count per child was half a million lookups).
    return select(D.suite_id, counted(Message.sent_at.isnot(None)), counted(Message.status.in_(FAILED_STATUSES)),
                  counted(Message.acknowledged_at.isnot(None))) \
        .join(D, Message.detention_id == D.id).where(*population).group_by(D.suite_id)


# -- Distributions -------------------------------------------------------------------------

def minutes_to_first_aa(column=AARequest.arrived_at):
    """Minutes from arrival at the suite to the child's earliest AA arrival (or request); NULL
    when there is none. A correlated lookup per child, so the planner walks the period's
    detentions and their index entries instead of joining every AA request ever made."""
    first = select(func.min(column)).where(AARequest.detention_id == D.id).scalar_subquery()
    return epoch_minutes(first) - epoch_minutes(D.arrived_at)


def _duration_sets(population):
    """(select, value name): per AA request and per acknowledged text."""
    responses = select(D.suite_id.label("grp"),
                       minutes_between(AARequest.requested_at, AARequest.arrived_at).label("aa_response_minutes")) \
        .join(D, AARequest.detention_id == D.id).where(*population, AARequest.arrived_at.isnot(None))
    acknowledgements = select(D.suite_id.label("grp"),
                              minutes_between(Message.sent_at, Message.acknowledged_at).label("median_ack_minutes")) \
        .join(D, Message.detention_id == D.id) \
        .where(*population, Message.sent_at.isnot(None), Message.acknowledged_at.isnot(None))
    return [(responses, "aa_response_minutes"), (acknowledgements, "median_ack_minutes")]


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

    children = grouped_figures(session, _children(population, aa_target_minutes), DETENTION_COUNTS, CHILD_DURATIONS)
    for grp, (counts, durations) in children.items():
        group(grp).detentions.update(counts)
        group(grp).durations.update(durations)
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
    for values, name in _duration_sets(population):
        for grp, (_, durations) in grouped_figures(session, values, spreads=(name,)).items():
            group(grp).durations.update(durations)
    for row in still_in_custody(session, population):
        if held_overnight_so_far(row, now):
            group(row.suite_id).detentions["overnight"] += 1
            groups[ALL].detentions["overnight"] += 1
    return {grp: g.figures() for grp, g in groups.items()}


# -- Exceptions ----------------------------------------------------------------------------

class Exceptions(Sequence):
    """The exception rows, worst first within each kind, kept column by column.

    Over ten years there are more than half a million; as dicts they took 300 MiB. Each row is
    handed out as the same dict as before ({detention_id, reference, suite, kind, minutes}), made
    when it is read, so the API, the page and the exports see what they always saw.
    """

    def __init__(self, suite_codes):
        self._suite_codes = suite_codes          # {suite_id: code}
        self._ids = array("q")
        self._references = []
        self._suites = array("q")
        self._kinds = bytearray()
        self._minutes = array("d")               # NaN for none

    def extend(self, rows):
        """Append (kind index, minutes, reference, detention_id, suite_id) rows, in order."""
        if not rows:
            return
        kinds, minutes, references, ids, suites = zip(*rows, strict=True)
        self._kinds.extend(kinds)
        self._minutes.extend([NAN if value is None else value for value in minutes])
        self._references.extend(references)
        self._ids.extend(ids)
        self._suites.extend(suites)

    def _row(self, i):
        minutes = self._minutes[i]
        return {"detention_id": self._ids[i], "reference": self._references[i],
                "suite": self._suite_codes[self._suites[i]], "kind": EXCEPTION_KINDS[self._kinds[i]],
                "minutes": None if minutes != minutes else minutes}

    def __len__(self):
        return len(self._ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._row(index)

    def __iter__(self):
        return (self._row(i) for i in range(len(self)))

    def __eq__(self, other):
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self):
        return f"<Exceptions: {len(self):,} rows>"


_NO_TIE = cast(null(), UTCDateTime)  # typed, or PostgreSQL makes the union's column text


def _exception_rows(kind, minutes, *conditions, join=None, outer_join=None, tie=None):
    """One kind's rows: kind index, minutes (one decimal, from the database), the child, and a
    last key for rows otherwise equal (a strip search's time)."""
    statement = select(literal(EXCEPTION_KINDS.index(kind)).label("kind"), minutes.label("minutes"),
                       D.reference.label("reference"), D.id.label("detention_id"), D.suite_id.label("suite_id"),
                       (tie if tie is not None else _NO_TIE).label("tie"))
    if join is not None:
        statement = statement.join(*join)
    if outer_join is not None:
        statement = statement.outerjoin(*outer_join)
    return statement.where(*conditions)


def exceptions(session, period, now, aa_target_minutes, suite=None):
    """One row per breach in the period, worst first within each kind (SPEC §6): one query, the
    rounding and the order done by the database, the rows streamed into compact columns."""
    population = in_period(period, suite)
    held = still_in_custody(session, population)
    at_now = literal(now, UTCDateTime())
    still_waiting = [r.id for r in held if not r.aa_attended and _minutes(r.arrived_at, now) > aa_target_minutes]
    overnight_so_far = [r.id for r in held if held_overnight_so_far(r, now)]
    released = _released()
    parts = [
        _late_appropriate_adults(population, aa_target_minutes),
        _exception_rows("no_aa", minutes_to_one_decimal(D.arrived_at, D.released_at),
                        *population, released, not_(_aa_attended())),
        _exception_rows("review_late", minutes_to_one_decimal(Review.due_at, Review.held_at),
                        *population, Review.held_at > Review.due_at, join=(Review, Review.detention_id == D.id)),
        _missed_reviews(population),
        _exception_rows("not_transferred", minutes_to_one_decimal(Charge.charged_at, func.coalesce(D.released_at,
                                                                                                   at_now)),
                        *population, Charge.bail == "refused", not_(_transferred()),
                        join=(Charge, Charge.detention_id == D.id)),
        _exception_rows("overnight", minutes_to_one_decimal(D.arrived_at, D.released_at),
                        *population, released, D.overnight),
        _exception_rows("strip_search_without_aa", cast(null(), Float), *population, not_(StripSearch.aa_present),
                        join=(StripSearch, StripSearch.detention_id == D.id), tie=StripSearch.searched_at),
    ]
    if still_waiting:
        parts.append(_exception_rows("aa_late", minutes_to_one_decimal(D.arrived_at, at_now),
                                     D.id.in_(still_waiting)))
    if overnight_so_far:
        parts.append(_exception_rows("overnight", minutes_to_one_decimal(D.arrived_at, at_now),
                                     D.id.in_(overnight_so_far)))
    found = union_all(*parts).subquery()
    reference = found.c.reference
    if session.get_bind().dialect.name == "postgresql":
        reference = reference.collate("C")  # Python's order of strings, whatever the database's locale
    ordered = select(found.c.kind, found.c.minutes, found.c.reference, found.c.detention_id, found.c.suite_id) \
        .order_by(found.c.kind, found.c.minutes.desc(), reference, found.c.tie,
                                     found.c.detention_id)
    rows = Exceptions(dict(session.execute(select(Suite.id, Suite.code)).all()))
    for batch in _batches(session, ordered):
        rows.extend(batch)
    return rows


def _batches(session, statement, size=20_000):
    """The rows of `statement` as lists of plain tuples, a batch at a time. On PostgreSQL from the
    driver itself, streamed in chunks (not a server-side cursor, under which PostgreSQL never
    plans in parallel); SQLAlchemy's result rows cost more than the rest of building the list.
    The statement's parameters need no conversion there (instants are aware)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield from connection.execute(statement, execution_options={"yield_per": size}).partitions()
        return
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    with connection.connection.driver_connection.cursor() as cursor:
        rows = cursor.stream(str(compiled), compiled.params, size=size)
        while batch := list(islice(rows, size)):
            yield batch


def _late_appropriate_adults(population, aa_target_minutes):
    """The AA arrived more than the target after the child (minutes to the first AA arrival)."""
    aa = first_aa(population)
    return _exception_rows("aa_late", minutes_to_one_decimal(D.arrived_at, aa.c.first_arrival),
                           *population, minutes_between(D.arrived_at, aa.c.first_arrival) > aa_target_minutes,
                           join=(aa, aa.c.id == D.id))


def _missed_reviews(population):
    """Released while the next review was already overdue: it was never held (minutes from its
    due time to the release)."""
    held = _per_detention(Review, population, func.max(Review.held_at).label("last_held"))
    last_held = held.c.last_held
    next_due = func.coalesce(epoch_minutes(last_held) + NEXT_REVIEW_AFTER.total_seconds() / 60,
                             epoch_minutes(D.detention_authorised_at) + FIRST_REVIEW_AFTER.total_seconds() / 60)
    late = case((last_held.isnot(None), minutes_to_one_decimal(
        last_held, D.released_at, literal(int(NEXT_REVIEW_AFTER.total_seconds())))),
        else_=minutes_to_one_decimal(D.detention_authorised_at, D.released_at,
                                     literal(int(FIRST_REVIEW_AFTER.total_seconds()))))
    return _exception_rows("review_late", late, *population, _released(), epoch_minutes(D.released_at) > next_due,
                           outer_join=(held, held.c.id == D.id))


def _minutes(start, end):
    return one_decimal((end - start).total_seconds() / 60)


# -- The pack ------------------------------------------------------------------------------

def performance_pack(session, period, now, aa_target_minutes, suite=None):
    """Every key of SPEC §6 for the period, each suite, and the equally long period before."""
    if session.get_bind().dialect.name == "postgresql":
        # The pack's queries are many index lookups that run in milliseconds, but their estimated
        # cost trips PostgreSQL's JIT, whose compiling took longer (~85 ms a query) than running.
        session.execute(text("SET LOCAL jit = off"))
        # Years of detentions are sorted (medians, the exceptions' order) and hashed in memory,
        # not in temporary files; LOCAL: for this transaction only.
        session.execute(text("SET LOCAL work_mem = '128MB'"))
        session.execute(text("SET LOCAL random_page_cost = 1.1"))
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
