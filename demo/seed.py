"""A realistic synthetic custody history for demonstrations and for measuring the pack.

Nothing here is a real child: names come from short lists, numbers from Ofcom's drama range.
The shape follows what the inspections describe: three suites, mostly 15-17-year-olds, AAs
that usually come within a couple of hours but sometimes after 12, nearly half the children
held overnight, reviews mostly done remotely, needs flagged on about half and referred on fewer,
bail refusals with few transfers to local authority accommodation, and the texts the
escalation would have sent, some acknowledged.

Rows are written in bulk, chunk by chunk (Core `insert()` executemany; COPY on PostgreSQL),
with ids given here so a chunk's children can point at their detention without a round trip.
The same --seed and the same clock give the same data.
"""
import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

from alerts.models import Message
from custody.audit import AuditEvent
from custody.models import (
    NEEDS,
    AARequest,
    AccommodationRequest,
    Certificate,
    Charge,
    Detention,
    ReferenceCounter,
    Referral,
    Review,
    StripSearch,
    Suite,
    WelfareNotification,
    overnight,
)
from custody.rules import age_on

SUITE_WEIGHTS = {"DUR": 45, "DAR": 30, "PET": 25}
SUITE_NAMES = {"DUR": "Durham", "DAR": "Darlington", "PET": "Peterlee"}
AGE_WEIGHTS = {10: 1, 11: 2, 12: 4, 13: 8, 14: 13, 15: 20, 16: 25, 17: 27}
# Arrivals by local hour: few in the small hours, most in the afternoon and evening.
HOUR_WEIGHTS = [3, 2, 2, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 6, 7, 8, 8, 8, 8, 7, 6, 5, 4]
FORENAMES = ["Jordan", "Kai", "Tyler", "Callum", "Liam", "Mason", "Riley", "Ellie", "Chloe", "Jade", "Aaron", "Ryan",
             "Connor", "Josh", "Leah", "Mia", "Harvey", "Owen", "Lewis", "Brandon", "Amber", "Kyle", "Dylan", "Sam"]
SURNAMES = ["Smith", "Brown", "Wilson", "Robson", "Taylor", "Walker", "Thompson", "Hall", "Wood", "Scott", "Bell",
            "Watson", "Dixon", "Harrison", "Graham", "Armstrong", "Hutchinson", "Atkinson", "Young", "Carr"]
OFFENCES = ["Theft from a shop", "Criminal damage", "Common assault", "Possession of cannabis", "Robbery",
            "Burglary (dwelling)", "Assault by beating", "Possession of a bladed article", "Vehicle taking",
            "Public order offence", "Affray", "Possession with intent to supply"]
LOCAL_AUTHORITIES = {"DUR": "Durham County Council", "DAR": "Darlington Borough Council",
                     "PET": "Durham County Council"}
PHONES = {"aa_scheme": "+447700900101", "aa_scheme_coordinator": "+447700900102",
          "custody_inspector": "+447700900103", "duty_superintendent": "+447700900104"}
CHUNK = 5_000
CUSTODY_MEDIAN_MINUTES = 560  # gives about 45% held overnight


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _lognormal(rng, median, sigma):
    return median * math.exp(rng.gauss(0, sigma))


@dataclass
class Rows:
    """One chunk's rows, per table, as dicts of column values."""
    tables: dict = field(default_factory=dict)

    def add(self, model, **values):
        self.tables.setdefault(model.__table__, []).append(values)


class Ids:
    """The next id of each table, given here rather than by the database."""

    def __init__(self, session, models):
        self.next = {m.__table__: (session.scalar(select(func.max(m.id))) or 0) + 1 for m in models}

    def take(self, model):
        value = self.next[model.__table__]
        self.next[model.__table__] += 1
        return value


class Story:
    """One child's custody, told forward from arrival; nothing happens after `now`."""

    def __init__(self, rng, now):
        self.rng, self.now = rng, now

    def at(self, start, minutes):
        instant = start + timedelta(minutes=minutes)
        return instant if instant <= self.now else None


def arrivals(rng, count, now, days, zone):
    """Arrival instants spread over the days before now, busiest in the afternoon, oldest first."""
    first_day = (now - timedelta(days=days)).astimezone(zone).date()
    result = []
    while len(result) < count:
        day = first_day + timedelta(days=rng.randrange(days + 1))  # up to today, but not later than now
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        instant = datetime.combine(day, time(hour, rng.randrange(60)), zone).astimezone(timezone.utc)
        if instant < now - timedelta(minutes=5):
            result.append(instant)
    result.sort()
    return result


class Seeder:
    MODELS = (Detention, WelfareNotification, AARequest, Review, Referral, Charge, AccommodationRequest,
              Certificate, StripSearch, Message, AuditEvent)

    def __init__(self, session, seed, now):
        self.session, self.rng, self.now = session, random.Random(seed), now
        self.suites = {s.code: s for s in session.scalars(select(Suite).where(Suite.code.in_(SUITE_WEIGHTS)))}
        missing = set(SUITE_WEIGHTS) - set(self.suites)
        if missing:
            raise RuntimeError(f"seed the suites first (flask suites seed): missing {', '.join(sorted(missing))}")
        self.ids = Ids(session, self.MODELS)
        self.counters = {(c.suite_id, c.year): c.last_number for c in session.scalars(select(ReferenceCounter))}
        self.codes_in_custody = set(session.scalars(select(Detention.sms_code).where(
            Detention.status == "in_custody")))

    # -- one child -------------------------------------------------------------------------
    def child(self, rows, arrived_at):
        rng = self.rng
        code = _weighted(rng, SUITE_WEIGHTS)
        suite = self.suites[code]
        zone = ZoneInfo(suite.timezone)
        detention_id = self.ids.take(Detention)
        story = Story(rng, self.now)

        age = _weighted(rng, AGE_WEIGHTS)
        arrival_day = arrived_at.astimezone(zone).date()
        date_of_birth = None
        if rng.random() < 0.85:
            date_of_birth = arrival_day - timedelta(days=int((age + rng.random()) * 365.25))
            age = min(17, max(10, age_on(date_of_birth, arrival_day)))
        needs = sorted(rng.sample(NEEDS, rng.choice((1, 1, 1, 2, 2, 3)))) if rng.random() < 0.5 else []

        custody_minutes = max(60.0, _lognormal(rng, CUSTODY_MEDIAN_MINUTES, 0.6))
        aa_arrived_at, requests = self.appropriate_adults(rows, detention_id, arrived_at, story)
        charge = self.charge(rows, detention_id, arrived_at, custody_minutes, story, code, age, zone)
        released_at = charge["released_at"] if charge else arrived_at + timedelta(minutes=custody_minutes)
        if aa_arrived_at and aa_arrived_at > released_at and rng.random() < 0.85:
            # The interview waits for the appropriate adult, and so does the release.
            released_at = aa_arrived_at + timedelta(minutes=_lognormal(rng, 100, 0.4))
        if released_at > self.now:
            released_at = None
        aa_arrived_at = self.keep_arrivals_before(requests, released_at)
        for request in requests:
            rows.add(AARequest, **request)
        outcome = (charge or {}).get("outcome") or rng.choices(
            ("no_further_action", "released_under_investigation", "bail"), weights=(30, 45, 25))[0]
        if released_at is None:
            sms_code = self.free_code()
        else:
            sms_code = f"{rng.randrange(10000):04d}"
        rows.add(Detention, id=detention_id, suite_id=suite.id, reference=self.reference(suite, arrived_at, zone),
                 sms_code=sms_code, custody_record_number=None,
                 forename=rng.choice(FORENAMES), surname=rng.choice(SURNAMES), date_of_birth=date_of_birth,
                 apparent_age=None if date_of_birth else age, age=age,
                 sex=rng.choices(("male", "female", None), weights=(84, 15, 1))[0], ethnicity=None,
                 looked_after=rng.random() < 0.12, needs=needs, has_needs=bool(needs),
                 arrested_at=arrived_at - timedelta(minutes=rng.randrange(15, 90)), arrived_at=arrived_at,
                 detention_authorised_at=arrived_at, offence=rng.choice(OFFENCES),
                 arresting_officer=f"PC {rng.randrange(1000, 9999)}",
                 status="in_custody" if released_at is None else "released", released_at=released_at,
                 release_outcome=None if released_at is None else outcome,
                 overnight=released_at is not None and overnight(arrived_at, released_at, zone),
                 created_at=arrived_at + timedelta(minutes=2), created_by_id=None)
        rows.add(AuditEvent, id=self.ids.take(AuditEvent), detention_id=detention_id, entity="detention",
                 entity_id=detention_id, action="seeded", occurred_at=arrived_at, recorded_at=self.now,
                 user_id=None, reason="Synthetic demonstration data (flask demo seed)", before=None, after=None)
        self.welfare(rows, detention_id, arrived_at, story, released_at)
        self.reviews(rows, detention_id, arrived_at, released_at, aa_arrived_at, charge, story)
        self.referrals(rows, detention_id, arrived_at, needs, story, released_at)
        self.strip_search(rows, detention_id, arrived_at, aa_arrived_at, story, released_at)
        self.texts(rows, detention_id, arrived_at, requests, aa_arrived_at, released_at, code, age, sms_code, zone)
        if charge:
            for model, values in charge["rows"]:
                rows.add(model, **values)

    def reference(self, suite, arrived_at, zone):
        key = (suite.id, arrived_at.astimezone(zone).year)
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{suite.code}-{key[1]}-{self.counters[key]:05d}"

    def free_code(self):
        while True:
            code = f"{self.rng.randrange(10000):04d}"
            if code not in self.codes_in_custody:
                self.codes_in_custody.add(code)
                return code

    # -- the appropriate adult -------------------------------------------------------------
    def appropriate_adults(self, rows, detention_id, arrived_at, story):
        rng = self.rng
        if rng.random() < 0.04:
            return None, []
        requested = arrived_at + timedelta(minutes=_lognormal(rng, 22, 0.9))
        kind = rng.choices(("parent_guardian", "aa_scheme", "social_worker", "other_responsible_adult"),
                           weights=(55, 35, 8, 2))[0]
        requests = []
        if kind == "parent_guardian" and rng.random() < 0.18:
            cancelled = requested + timedelta(minutes=rng.randrange(15, 90))
            requests.append(self._request(detention_id, requested, "parent_guardian", cancelled=cancelled,
                                          story=story))
            requested, kind = cancelled + timedelta(minutes=rng.randrange(5, 30)), "aa_scheme"
        # A long tail: one child in a hundred waits more than twelve hours.
        arrival = requested + timedelta(minutes=_lognormal(rng, 75, 1.0))
        requests.append(self._request(detention_id, requested, kind, arrived=arrival, story=story))
        requests = [r for r in requests if r["requested_at"] is not None]
        return min((r["arrived_at"] for r in requests if r["arrived_at"]), default=None), requests

    def _request(self, detention_id, requested, kind, story, arrived=None, cancelled=None):
        requested = requested if requested <= story.now else None
        arrived = arrived if arrived and arrived <= story.now else None
        cancelled = cancelled if cancelled and cancelled <= story.now else None
        return {"id": self.ids.take(AARequest), "detention_id": detention_id, "requested_at": requested,
                "aa_type": kind, "contact_name": "Durham AA scheme" if kind == "aa_scheme" else "Parent",
                "notes": None, "arrived_at": arrived, "aa_name": "AA on duty" if arrived else None,
                "cancelled_at": cancelled, "cancel_reason": "Parent refused to attend" if cancelled else None}

    def keep_arrivals_before(self, requests, released_at):
        """Nothing happens after the child left: an AA who would have come later did not come."""
        if released_at is not None:
            requests[:] = [r for r in requests if r["requested_at"] <= released_at]
            for request in requests:
                for field_name, other in (("arrived_at", "aa_name"), ("cancelled_at", "cancel_reason")):
                    if request[field_name] and request[field_name] > released_at:
                        request[field_name] = request[other] = None
        return min((r["arrived_at"] for r in requests if r["arrived_at"]), default=None)

    # -- charge, bail and transfer ---------------------------------------------------------
    def charge(self, rows, detention_id, arrived_at, custody_minutes, story, code, age, zone):
        rng = self.rng
        if rng.random() >= 0.30:
            return None
        charged_at = arrived_at + timedelta(minutes=custody_minutes * rng.uniform(0.6, 0.9))
        if charged_at > self.now:
            return None
        refused = rng.random() < 0.2
        result = {"rows": [(Charge, {"id": self.ids.take(Charge), "detention_id": detention_id,
                                     "charged_at": charged_at, "offences": "As charged",
                                     "bail": "refused" if refused else "granted",
                                     "refusal_grounds": "Risk of further offences" if refused else None})],
                  "charged_at": charged_at, "refused": refused,
                  "released_at": charged_at + timedelta(minutes=rng.randrange(20, 60)), "outcome": "charged_bailed"}
        if not refused:
            return result
        # Kept for the next morning's court unless the local authority takes the child.
        court = datetime.combine(charged_at.astimezone(zone).date() + timedelta(days=1), time(9, 30), zone)
        result.update(released_at=court.astimezone(timezone.utc), outcome="kept_for_court")
        transferred_at = None
        if rng.random() < 0.65:
            requested = charged_at + timedelta(minutes=rng.randrange(30, 120))
            kind = "secure" if age >= 12 and rng.random() < 0.2 else "non_secure"
            if rng.random() < 0.22 and requested + timedelta(hours=5) < result["released_at"]:
                transferred_at = story.at(requested, rng.randrange(120, 300))
            answer = rng.choices(("refused", "no_bed", "no_response"), weights=(30, 50, 20))[0]
            responded = story.at(requested, rng.randrange(30, 110))
            result["rows"].append((AccommodationRequest, {
                "id": self.ids.take(AccommodationRequest), "detention_id": detention_id,
                "requested_at": requested, "type": kind, "local_authority": LOCAL_AUTHORITIES[code],
                "la_contact": "Emergency duty team", "responded_at": responded,
                "la_response": ("accepted" if transferred_at else answer) if responded else None,
                "transferred_at": transferred_at}))
        if transferred_at:
            result.update(released_at=transferred_at, outcome="transferred_la_accommodation")
        elif rng.random() < 0.8:
            issued = story.at(charged_at, rng.randrange(60, 240))
            if issued:
                result["rows"].append((Certificate, {
                    "id": self.ids.take(Certificate), "detention_id": detention_id, "issued_at": issued,
                    "ground": "impracticable", "reasons": "No local authority placement could be found tonight.",
                    "issued_by": "Custody sergeant", "approved_by": "Custody inspector", "approved_at": issued}))
        return result

    # -- welfare, reviews, referrals, searches ---------------------------------------------
    def welfare(self, rows, detention_id, arrived_at, story, released_at):
        informed = story.at(arrived_at, _lognormal(self.rng, 18, 0.7))
        if informed and self.rng.random() < 0.97 and (released_at is None or informed <= released_at):
            rows.add(WelfareNotification, id=self.ids.take(WelfareNotification), detention_id=detention_id,
                     informed_at=informed, person_name="Parent", relationship="Mother")

    def reviews(self, rows, detention_id, arrived_at, released_at, aa_arrived_at, charge, story):
        rng = self.rng
        end = released_at or self.now
        due = arrived_at + timedelta(hours=6)
        while due < end:
            if rng.random() < 0.03:
                return  # missed: overdue at release
            held = due + timedelta(minutes=_lognormal(rng, 35, 0.6)) if rng.random() < 0.08 \
                else due - timedelta(minutes=rng.randrange(0, 90))
            if held > end:
                return
            post_charge = charge is not None and held > charge["charged_at"]
            mode = rng.choices(("in_person", "video", "telephone"), weights=(22, 58, 20))[0]
            if post_charge and mode == "telephone":
                mode = "video"
            aa_there = aa_arrived_at is not None and aa_arrived_at <= held
            rows.add(Review, id=self.ids.take(Review), detention_id=detention_id, due_at=due, held_at=held,
                     reviewer_name="Custody inspector", reviewer_rank="Inspector",
                     kind="post_charge" if post_charge else "pre_charge", mode=mode,
                     remote_reason=None if mode == "in_person" else "Inspector covering another suite",
                     child_seen=mode != "telephone", aa_present=aa_there and rng.random() < 0.65,
                     solicitor_present=rng.random() < 0.3, representations=None,
                     investigation_progress_considered=True,
                     outcome="charge" if post_charge else "continue_detention", rationale="Enquiries continue.")
            due = held + timedelta(hours=9)

    def referrals(self, rows, detention_id, arrived_at, needs, story, released_at):
        rng = self.rng
        services = []
        if needs and rng.random() < 0.4:
            services.append("childrens_social_care")
        if rng.random() < (0.3 if needs else 0.08):
            services.append("liaison_diversion")
        for service in services:
            made = story.at(arrived_at, rng.randrange(30, 240))
            if made and (released_at is None or made <= released_at):
                rows.add(Referral, id=self.ids.take(Referral), detention_id=detention_id, service=service,
                         made_at=made, reason="Needs identified at booking", external_reference=None)

    def strip_search(self, rows, detention_id, arrived_at, aa_arrived_at, story, released_at):
        rng = self.rng
        if rng.random() >= 0.035:
            return
        if aa_arrived_at is not None and rng.random() < 0.8:  # most searches wait for the AA
            searched = story.at(aa_arrived_at, rng.randrange(10, 60))
        else:
            searched = story.at(arrived_at, rng.randrange(20, 180))
        if searched is None or (released_at and searched > released_at):
            return
        aa_present = aa_arrived_at is not None and aa_arrived_at <= searched and rng.random() < 0.95
        rows.add(StripSearch, id=self.ids.take(StripSearch), detention_id=detention_id, searched_at=searched,
                 aa_present=aa_present, reason="Reasonable grounds to suspect a concealed item",
                 urgent_without_aa_reason=None if aa_present else "Risk of serious harm; could not wait")

    # -- texts -----------------------------------------------------------------------------
    def texts(self, rows, detention_id, arrived_at, requests, aa_arrived_at, released_at, code, age, sms_code,
              zone):
        stop = min(t for t in (aa_arrived_at, released_at, self.now) if t is not None)
        name = SUITE_NAMES[code]
        first = min((r["requested_at"] for r in requests), default=None)
        if first is None or first > arrived_at + timedelta(minutes=30):
            self.text(rows, detention_id, "aa_not_requested", 0, "custody_inspector",
                      arrived_at + timedelta(minutes=30), stop,
                      f"{name} custody: no AA requested for a child aged {age} after 30 min.", sms_code)
        for request in requests:
            if request["aa_type"] == "aa_scheme":
                local = request["requested_at"].astimezone(zone).strftime("%H:%M")
                self.text(rows, detention_id, "aa_callout", 0, "aa_scheme", request["requested_at"], stop,
                          f"{name} custody: AA needed for a child aged {age}, requested {local}.", sms_code)
        if first is not None:
            for step, (after, role) in enumerate(((120, "aa_scheme_coordinator"), (240, "custody_inspector"),
                                                  (480, "duty_superintendent"))):
                hours = after // 60
                self.text(rows, detention_id, "aa_not_arrived", step, role, first + timedelta(minutes=after), stop,
                          f"{name} custody: AA for a child aged {age} not arrived after {hours}h.", sms_code)

    def text(self, rows, detention_id, clock, step, role, due, stop, message, sms_code):
        if due >= stop or due > self.now:
            return
        rng = self.rng
        status = rng.choices(("delivered", "sent", "failed", "undelivered"), weights=(93, 3, 2, 2))[0]
        sent_at = None if status == "failed" else due + timedelta(seconds=rng.randrange(1, 20))
        acknowledged = None
        if status in ("delivered", "sent") and rng.random() < 0.6:
            acknowledged = sent_at + timedelta(minutes=_lognormal(rng, 6, 0.8))
            if acknowledged > self.now:
                acknowledged = None
        rows.add(Message, id=self.ids.take(Message), step_id=None, detention_id=detention_id, contact_id=None,
                 clock=clock, step=step, role=role, to=PHONES[role],
                 body=f"{message} Reply ACK {sms_code} or ETA {sms_code} <mins>"[:160], status=status,
                 due_at=due, sent_at=sent_at, late=False, provider_sid=None,
                 error_code="30003" if status in ("failed", "undelivered") else None, error_message=None,
                 attempts=1, next_attempt_at=None, acknowledged_at=acknowledged, eta_minutes=None, created_at=due)

    # -- writing -------------------------------------------------------------------------
    def write(self, rows):
        postgres = self.session.get_bind().dialect.name == "postgresql"
        for table in (t.__table__ for t in self.MODELS):  # parents before children
            values = rows.tables.get(table)
            if not values:
                continue
            if postgres:
                _copy(self.session, table, values)
            else:
                self.session.execute(insert(table), values)

    def finish(self):
        for (suite_id, year), number in self.counters.items():
            counter = self.session.get(ReferenceCounter, (suite_id, year))
            if counter is None:
                self.session.add(ReferenceCounter(suite_id=suite_id, year=year, last_number=number))
            else:
                counter.last_number = max(counter.last_number, number)
        if self.session.get_bind().dialect.name == "postgresql":
            for model in self.MODELS:  # ids were given here: move each sequence past them
                table = model.__table__.name
                self.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"GREATEST((SELECT max(id) FROM {table}), 1))"))


def _copy(session, table, values):
    columns = list(values[0])
    json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
    cursor = session.connection().connection.driver_connection.cursor()
    quoted = ", ".join(f'"{c}"' for c in columns)  # messages has a column called "to"
    with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
        for row in values:
            copy.write_row([json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                            for c in columns])


def seed(session, detentions, seed, now, days=None, progress=None):
    """Write `detentions` synthetic detentions (and all their events) arriving over `days` days
    before `now`. Returns how many were written."""
    days = days or default_days(detentions)
    seeder = Seeder(session, seed, now)
    zone = ZoneInfo("Europe/London")
    times = arrivals(seeder.rng, detentions, now, days, zone)
    for start in range(0, len(times), CHUNK):
        rows = Rows()
        for arrived_at in times[start:start + CHUNK]:
            seeder.child(rows, arrived_at)
        seeder.write(rows)
        if progress:
            progress(min(start + CHUNK, len(times)), len(times))
    seeder.finish()
    return len(times)


def default_days(detentions):
    """A year, or as long as it takes for no more than 150 arrivals a day: at that rate a suite's
    reference numbers (five digits a year) never run out."""
    return max(365, math.ceil(detentions / 150))

