"""Children in custody for the benchmarks, booked and recorded through the real services, so the
escalation engine (a `facts_changed` receiver) plans their steps exactly as for a sergeant's.

Every name here is made up; nothing resembles a real person.
"""
from datetime import timedelta

from auth import services as users
from core.db import db
from custody import booking, events, schemas
from custody import suites as suite_service

FORENAMES = ("Alex", "Sam", "Jordan", "Casey", "Riley", "Morgan", "Taylor", "Jamie", "Charlie", "Robin")
SURNAMES = ("Archer", "Baker", "Carter", "Dale", "Ellis", "Fisher", "Grant", "Hart", "Irving", "Jones")
SUITES = ("DUR", "DAR", "PET")
NEEDS = ("mental_health", "learning_disability", "neurodivergence", "self_harm", "speech_language")
BENCH_PASSWORD = "bench passphrase for a throwaway database"


def iso(instant):
    return instant.isoformat()


def booking_body(rng, arrived_at, number):
    """A valid booking (the API's JSON) for a child aged 10 to 17 at `arrived_at`."""
    age = rng.randint(10, 17)
    born = arrived_at.date() - timedelta(days=int(age * 365.25) + rng.randint(30, 300))
    body = {"suite": rng.choice(SUITES), "forename": rng.choice(FORENAMES), "surname": rng.choice(SURNAMES),
            "date_of_birth": born.isoformat(), "arrived_at": iso(arrived_at), "offence": "Theft",
            "arresting_officer": f"PC {1000 + number % 9000}", "custody_record_number": f"BENCH-{number:07d}"}
    if rng.random() < 0.3:
        body["needs"] = rng.sample(NEEDS, rng.randint(1, 2))
    return body


def setup_suites_and_sergeant(app, now):
    """Suites, a sergeant with a password (for the login form) and an API token; returns the token."""
    with app.app_context():
        suite_service.seed(db.session, suite_service.read_suites_file(app.config["SUITES_FILE"]))
        sergeant = users.create_user(db.session, "sgt_bench", "sergeant", now, BENCH_PASSWORD, "Sergeant Bench")
        token = users.issue_token(db.session, sergeant, now)
        db.session.commit()
        return token


def book_children(app, arrivals, now, rng, events_too=True, first_number=0):
    """Book one child per arrival instant through the real service; returns their ids.

    With `events_too`, about half get an AA request (some attended), a fifth a review, as on a
    busy night's board.
    """
    from sqlalchemy import select

    from auth.models import User
    ids = []
    with app.app_context():
        sergeant = db.session.scalar(select(User).where(User.username == "sgt_bench"))
        for number, arrived_at in enumerate(arrivals, start=first_number):
            data = schemas.DetentionIn().load(booking_body(rng, arrived_at, number))
            detention = booking.book(db.session, data, sergeant, now)
            if events_too:
                _some_events(db.session, detention, sergeant, arrived_at, now, rng)
            db.session.commit()
            ids.append(detention.id)
    return ids


def _some_events(session, detention, sergeant, arrived_at, now, rng):
    held = now - arrived_at
    if rng.random() < 0.5:
        requested = arrived_at + held * rng.uniform(0.05, 0.3)
        request = events.request_aa(session, detention, schemas.AARequestIn().load(
            {"requested_at": iso(requested), "aa_type": rng.choice(("parent_guardian", "aa_scheme")),
             "contact_name": "Duty AA"}), sergeant, now)
        if rng.random() < 0.5:
            events.record_aa_arrival(session, request, schemas.AAArrivalIn().load(
                {"arrived_at": iso(requested + (now - requested) * rng.uniform(0.2, 0.9)), "aa_name": "A. Adult"}),
                sergeant, now)
    if held > timedelta(hours=2) and rng.random() < 0.2:
        events.record_review(session, detention, schemas.ReviewIn().load(
            {"held_at": iso(arrived_at + held * 0.8), "reviewer_name": "Insp Bench", "kind": "pre_charge",
             "mode": "in_person", "child_seen": True, "outcome": "continue_detention"}), sergeant, now)
