"""Report fixtures: custody facts inserted as rows (fast, deterministic), and a small fixed
fortnight whose every figure is worked out by hand in test_pack_figures.py."""
from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from alerts.models import Message
from core.db import db
from custody.models import (
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

LONDON = ZoneInfo("Europe/London")
# Monday morning after the fortnight 19 Oct - 1 Nov 2026, in which the clocks went back (25 Oct).
NOW = datetime.fromisoformat("2026-11-02T06:00:00+00:00")


def utc(text):
    return datetime.fromisoformat(text + "+00:00")


class Custody:
    """Writes custody facts straight into the tables, as the services would have left them."""

    def __init__(self, session):
        self.session = session
        self.numbers = count(1)
        self.suites = {s.code: s for s in session.scalars(select(Suite))}

    def _add(self, row):
        self.session.add(row)
        self.session.flush()
        return row

    def detention(self, suite, arrived, released=None, needs=(), age=15):
        number = next(self.numbers)
        arrived_at, released_at = utc(arrived), released and utc(released)
        return self._add(Detention(
            suite=self.suites[suite], reference=f"{suite}-2026-{number:05d}", sms_code=f"{number:04d}",
            forename="Test", surname=f"Child{number}", age=age, apparent_age=age, needs=list(needs),
            has_needs=bool(needs), arrived_at=arrived_at, detention_authorised_at=arrived_at,
            status="released" if released else "in_custody", released_at=released_at,
            release_outcome="no_further_action" if released else None,
            overnight=overnight(arrived_at, released_at, LONDON), created_at=arrived_at))

    def aa(self, detention, requested, arrived=None, cancelled=None, aa_type="parent_guardian"):
        return self._add(AARequest(detention=detention, requested_at=utc(requested), aa_type=aa_type,
                                   arrived_at=arrived and utc(arrived), aa_name="An Adult" if arrived else None,
                                   cancelled_at=cancelled and utc(cancelled),
                                   cancel_reason="Parent refused" if cancelled else None))

    def review(self, detention, due, held, mode="video", aa_present=False):
        return self._add(Review(detention=detention, due_at=utc(due), held_at=utc(held), reviewer_name="Insp Khan",
                                kind="pre_charge", mode=mode, child_seen=True, aa_present=aa_present,
                                remote_reason=None if mode == "in_person" else "Inspector off site",
                                outcome="continue_detention"))

    def referral(self, detention, made, service="childrens_social_care"):
        return self._add(Referral(detention=detention, service=service, made_at=utc(made)))

    def charge(self, detention, charged, bail):
        return self._add(Charge(detention=detention, charged_at=utc(charged), offences="Robbery", bail=bail,
                                refusal_grounds="Risk of further offences" if bail == "refused" else None))

    def accommodation(self, detention, requested, type, transferred=None):
        return self._add(AccommodationRequest(
            detention=detention, requested_at=utc(requested), type=type, local_authority="Durham County Council",
            transferred_at=transferred and utc(transferred),
            responded_at=transferred and utc(transferred), la_response="accepted" if transferred else None))

    def certificate(self, detention, issued):
        return self._add(Certificate(detention=detention, issued_at=utc(issued), ground="impracticable",
                                     reasons="No LA placement could be found", issued_by="Sgt Price"))

    def strip_search(self, detention, searched, aa_present):
        return self._add(StripSearch(detention=detention, searched_at=utc(searched), aa_present=aa_present,
                                     reason="Concealed item",
                                     urgent_without_aa_reason=None if aa_present else "Risk of self-harm"))

    def message(self, detention, sent=None, status="delivered", acknowledged=None):
        created = utc(sent) if sent else detention.arrived_at
        return self._add(Message(detention_id=detention.id, to="+447700900123", body="AA needed", status=status,
                                 sent_at=sent and utc(sent), acknowledged_at=acknowledged and utc(acknowledged),
                                 created_at=created))


@pytest.fixture
def custody(app):
    return Custody(db.session)


@pytest.fixture
def fortnight(custody, clock):
    """Six children in 19 Oct - 1 Nov 2026, two just before it and one just after.

    Letters match the hand calculations in test_pack_figures.py.
    """
    clock.set(NOW)
    c = custody
    a = c.detention("DUR", "2026-10-18T23:30", "2026-10-19T09:30", needs=["mental_health"])  # 00:30 BST, 19 Oct
    c.aa(a, "2026-10-18T23:50", arrived="2026-10-19T01:20")
    c.referral(a, "2026-10-19T02:00")
    c.review(a, due="2026-10-19T05:30", held="2026-10-19T05:20", mode="in_person", aa_present=True)
    c.message(a, sent="2026-10-18T23:50", acknowledged="2026-10-18T23:56")

    b = c.detention("DUR", "2026-10-24T14:00", "2026-10-25T10:00")  # over the night the clocks went back
    c.aa(b, "2026-10-24T14:30", arrived="2026-10-24T17:30")
    c.review(b, due="2026-10-24T20:00", held="2026-10-24T20:30", mode="video", aa_present=True)
    c.review(b, due="2026-10-25T05:30", held="2026-10-25T05:00", mode="telephone")
    c.charge(b, "2026-10-25T06:00", "refused")
    c.accommodation(b, "2026-10-25T06:30", "non_secure")
    c.certificate(b, "2026-10-25T09:00")
    c.strip_search(b, "2026-10-24T18:00", aa_present=True)
    c.message(b, sent="2026-10-24T14:30", acknowledged="2026-10-24T14:40")
    c.message(b, status="failed")

    cc = c.detention("DAR", "2026-10-27T10:00", "2026-10-27T16:00", needs=["learning_disability"])
    c.aa(cc, "2026-10-27T10:10", arrived="2026-10-27T11:00")
    c.referral(cc, "2026-10-27T12:00", service="liaison_diversion")
    c.strip_search(cc, "2026-10-27T10:30", aa_present=False)
    c.message(cc, sent="2026-10-27T10:10")

    d = c.detention("DAR", "2026-10-28T20:00", "2026-10-29T09:00")
    c.aa(d, "2026-10-28T21:00", cancelled="2026-10-28T21:30")
    c.aa(d, "2026-10-28T21:40", aa_type="aa_scheme")
    c.message(d, sent="2026-10-28T21:40", acknowledged="2026-10-28T22:00")
    c.message(d, sent="2026-10-28T23:40", status="undelivered")

    e = c.detention("PET", "2026-10-30T09:00", "2026-10-30T18:00", needs=["self_harm"])
    c.aa(e, "2026-10-30T09:05", arrived="2026-10-30T09:45")
    c.referral(e, "2026-10-30T10:00")
    c.review(e, due="2026-10-30T15:00", held="2026-10-30T14:00", mode="in_person", aa_present=True)
    c.charge(e, "2026-10-30T13:00", "refused")
    c.accommodation(e, "2026-10-30T13:30", "secure")
    c.accommodation(e, "2026-10-30T14:30", "non_secure", transferred="2026-10-30T18:00")

    f = c.detention("PET", "2026-11-01T22:00")  # Sunday 22:00 GMT, still waiting for an AA at NOW

    g = c.detention("DUR", "2026-10-18T22:59", "2026-10-19T03:59")  # 23:59 BST on 18 Oct: previous period
    c.aa(g, "2026-10-18T23:19", arrived="2026-10-19T00:59")
    p1 = c.detention("DAR", "2026-10-10T12:00", "2026-10-10T13:00")
    c.detention("DAR", "2026-10-04T22:59", "2026-10-05T01:00")  # 23:59 BST on 4 Oct: before both
    c.detention("DUR", "2026-11-02T00:00", "2026-11-02T05:00")  # 00:00 GMT on 2 Nov: after the period
    db.session.commit()
    return {"a": a, "b": b, "c": cc, "d": d, "e": e, "f": f, "g": g, "p1": p1}
