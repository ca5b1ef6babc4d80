"""Booking a child in and correcting the booking. Plain functions over a session.

Every function validates everything first and writes afterwards, so a refusal leaves the
database as it was; the caller commits.
"""
import secrets

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from core.errors import Conflict, NotFound, invalid
from custody import audit, rules
from custody.models import Detention, ReferenceCounter, Suite
from custody.signals import facts_changed

BOOKING_FIELDS = ("custody_record_number", "forename", "surname", "date_of_birth", "apparent_age", "sex",
                  "ethnicity", "looked_after", "needs", "arrested_at", "arrived_at", "detention_authorised_at",
                  "offence", "arresting_officer")
AUDITED_FIELDS = ("suite_code", "reference", *BOOKING_FIELDS, "age")


def no_events():
    """A new detention's event relationships, all empty (fresh lists for each booking)."""
    return {"welfare_notification": None, "aa_requests": [], "reviews": [], "referrals": [], "charge": None,
            "accommodation_requests": [], "certificate": None, "strip_searches": []}


def suite_by_code(session, code, field="suite"):
    suite = session.scalar(select(Suite).where(Suite.code == code.upper()))
    if suite is None or not suite.active:
        raise invalid(field, f"There is no active custody suite with the code {code!r}.")
    return suite


def get_detention(session, detention_id, for_update=False):
    query = select(Detention).where(Detention.id == detention_id)
    if for_update:
        query = query.with_for_update(of=Detention)
    detention = session.scalar(query)
    if detention is None:
        raise NotFound(f"There is no detention {detention_id}.")
    return detention


def next_reference(session, suite, year):
    """{SUITE}-{YYYY}-{NNNNN}: one atomic upsert, so concurrent bookings never share a number."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ReferenceCounter).values(suite_id=suite.id, year=year, last_number=1)
    statement = statement.on_conflict_do_update(
        index_elements=["suite_id", "year"], set_={"last_number": ReferenceCounter.last_number + 1},
    ).returning(ReferenceCounter.last_number)
    number = session.execute(statement).scalar_one()
    return f"{suite.code}-{year}-{number:05d}"


CODE_ATTEMPTS = 3


def new_sms_code(session):
    """Four digits not used by any child still in custody (the partial unique index enforces it)."""
    for _ in range(50):
        code = f"{secrets.randbelow(10000):04d}"
        taken = session.scalar(select(func.count()).select_from(Detention)
                               .where(Detention.sms_code == code, Detention.status == "in_custody"))
        if not taken:
            return code
    raise Conflict("No free text-message code: too many children in custody at once.")


def _check_record_number(session, suite, number, detention_id=None):
    if not number:
        return
    clash = session.scalar(select(Detention.id).where(
        Detention.suite_id == suite.id, Detention.custody_record_number == number,
        Detention.id != (detention_id or 0)))
    if clash:
        raise Conflict(f"Custody record {number} is already booked at {suite.name}.",
                       {"custody_record_number": ["already used at this suite"]})


def _audited(detention):
    values = audit.snapshot(detention, BOOKING_FIELDS + ("reference", "age"))
    values["suite_code"] = detention.suite.code
    return values


def _apply(detention, data, suite, now):
    for field in BOOKING_FIELDS:
        if field in data:
            setattr(detention, field, data[field])
    # "" is no record number: stored as one, two children with "" at a suite broke the unique constraint (a 500).
    detention.custody_record_number = detention.custody_record_number or None
    detention.needs = sorted(set(detention.needs or []))
    detention.has_needs = bool(detention.needs)
    if detention.detention_authorised_at is None:
        detention.detention_authorised_at = detention.arrived_at
    detention.age = rules.age_at_arrival(detention.date_of_birth, detention.apparent_age,
                                         detention.arrived_at, suite.zone)
    rules.check_child(detention.age, detention.date_of_birth, detention.arrived_at, now)


def book(session, data, user, now):
    """Book a child into custody (POST /api/v1/detentions)."""
    suite = suite_by_code(session, data["suite"])
    rules.check_booking_times(data, now)
    # A new child has no events: saying so up front spares the planner and the response a
    # query per relationship to find that out.
    detention = Detention(suite=suite, status="in_custody", created_at=now, created_by_id=user.id if user else None,
                          **no_events())
    _apply(detention, data, suite, now)
    _check_record_number(session, suite, detention.custody_record_number)
    detention.reference = next_reference(session, suite, detention.arrived_at.astimezone(suite.zone).year)
    for _ in range(CODE_ATTEMPTS):
        detention.sms_code = new_sms_code(session)
        try:
            with session.begin_nested():  # added inside: a refused insert then leaves the session clean
                session.add(detention)
                session.flush()
            break
        except IntegrityError:
            # Another booking took the same record number or text code between our check and our
            # insert. The record number is the sergeant's to resolve (409 naming it); the code is
            # ours to choose, so choose again rather than refuse a booking for it.
            _check_record_number(session, suite, detention.custody_record_number)
    else:
        raise Conflict("This booking clashed with others made at the same moment; submit it again.")
    audit.record(session, user=user, now=now, entity="detention", entity_id=detention.id, action="booked_in",
                 detention_id=detention.id, occurred_at=detention.arrived_at, after=_audited(detention))
    facts_changed.send(detention, session=session, now=now, booked=True)
    return detention


def amend(session, detention, data, user, now):
    """Correct the booking (PATCH). Nothing is overwritten without a reason in the audit trail."""
    reason = data.pop("amend_reason")
    if not data:
        raise invalid("amend_reason", "Say which fields to correct, as well as why.")
    before = _audited(detention)
    merged = {f: data.get(f, getattr(detention, f)) for f in ("arrived_at", "arrested_at", "detention_authorised_at")}
    if "arrived_at" in data and "detention_authorised_at" not in data \
            and detention.detention_authorised_at == detention.arrived_at:
        merged["detention_authorised_at"] = data["arrived_at"]  # it followed arrival; keep it so
        data["detention_authorised_at"] = data["arrived_at"]
    rules.check_booking_times(merged, now)
    earliest_event = min(detention.event_instants(), default=None)
    if earliest_event is not None and merged["arrived_at"] > earliest_event:
        raise invalid("arrived_at", "Events are already recorded before this arrival time; correct them first.")
    if detention.released_at is not None and merged["arrived_at"] > detention.released_at:
        raise invalid("arrived_at", "The arrival would be after the release.")
    with session.no_autoflush:
        _apply(detention, data, detention.suite, now)
        _check_record_number(session, detention.suite, detention.custody_record_number, detention.id)
    if not audit.record_amendment(session, user=user, now=now, entity="detention", entity_id=detention.id,
                                  detention_id=detention.id, before=before, after=_audited(detention), reason=reason):
        raise invalid("amend_reason", "Nothing would change: the values given are those already recorded.")
    facts_changed.send(detention, session=session, now=now)
    return detention
