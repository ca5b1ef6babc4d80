"""Sweep cost: one sweep with 10,000 children in custody and 500,000 closed detentions, against
one with 100 in custody. Both sweeps do the same work (the same number of steps fall due), so
the ratio shows what the size of the database adds: ideally nothing, as the sweep reads only
the due steps (the partial index on pending `due_at`) and the children they belong to.

Set-up (kept between runs like the national seed): the closed history is `flask demo seed`;
the children in custody are written in bulk with AA requests, reviews and accommodation
requests, then `flask alerts replan` (the real planner) plans their steps; steps already due at
the set-up instant T0 are marked done, as a worker that never stopped would have left them.
The measured sweeps are `alerts.sweep.sweep` at instants after T0 chosen so that exactly K
steps fall due between one and the next; small and large alternate, so noise falls on both.
"""
import random
import re
import statistics
import subprocess
import time
from datetime import datetime, timedelta

from sqlalchemy import select, text

from bench import national
from bench.core import Figure, benchmark
from bench.processes import ROOT, flask_command
from bench.profiling import profile

FULL = {"closed": national.FULL_DETENTIONS, "large": 10_000, "small": 100, "due_per_sweep": 10, "sweeps": 7}
QUICK = {"closed": 200, "large": 20, "small": 5, "due_per_sweep": 2, "sweeps": 2}
CODES = 10_000  # four-digit text codes: at most this many children in custody at once


@benchmark("sweep", targets=("sweep cost ratio",),
           description="a sweep with 10,000 in custody and 500,000 closed, against one with 100 in custody")
def sweep(context):
    scale = QUICK if context.quick else FULL
    large_t0 = _prepare_large(context, scale)
    small_t0 = _prepare_small(context, scale)
    large = context.db.app(context.namespace("sweep_large"))
    small = context.db.app(context.namespace("sweep_small"))
    for app, t0 in ((large, large_t0), (small, small_t0)):
        _reset_after(app, t0)
    large_at = _sweep_instants(large, large_t0, scale)
    small_at = _sweep_instants(small, small_t0, scale)
    timed = {"large": [], "small": []}
    steps = {"large": [], "small": []}
    for index in range(scale["sweeps"]):              # alternately, so noise falls on both
        for name, app, instants in (("small", small, small_at), ("large", large, large_at)):
            seconds, processed = _timed_sweep(app, instants[index])
            timed[name].append(seconds)
            steps[name].append(processed)
    idle = {"large": [], "small": []}
    for _ in range(scale["sweeps"]):                  # nothing more is due at the last instant
        for name, app, instants in (("small", small, small_at), ("large", large, large_at)):
            idle[name].append(_timed_sweep(app, instants[-1])[0])
    if context.profile:
        _profile(context, large, large_t0, large_at)
    for app in (large, small):
        _reset_after(app, large_t0 if app is large else small_t0)
    return _figures(scale, timed, steps, idle, _counts(large))


def _figures(scale, timed, steps, idle, counts):
    large_ms, small_ms = (statistics.median(timed[n]) * 1000 for n in ("large", "small"))
    idle_large, idle_small = (statistics.median(idle[n]) * 1000 for n in ("large", "small"))
    in_custody, closed = counts
    return [
        Figure(f"sweep, {in_custody:,} in custody", large_ms, "ms",
               note=f"+ {closed:,} closed; steps per sweep {steps['large']}"),
        Figure(f"sweep, {scale['small']} in custody", small_ms, "ms", note=f"steps per sweep {steps['small']}"),
        Figure("sweep cost ratio", large_ms / small_ms, "ratio", 2.0,
               note=f"medians of {scale['sweeps']}, alternated in one run"),
        Figure("idle sweep ratio", idle_large / idle_small, "ratio",
               note=f"nothing due: {idle_large:.1f} ms against {idle_small:.1f} ms"),
    ]


# -- The measured sweeps ------------------------------------------------------------------

def _timed_sweep(app, now):
    """(seconds, steps it dealt with): texted, cancelled or found with nobody to text."""
    from alerts import senders
    from alerts import sweep as engine
    from core.db import db
    with app.app_context():
        policy = app.extensions["alerts"].policy
        before = _steps_dealt_with(db.session)
        started = time.perf_counter()
        engine.sweep(db.session, now, policy, senders.ConsoleSender(), worker="bench")
        seconds = time.perf_counter() - started
        dealt_with = _steps_dealt_with(db.session) - before
        db.session.remove()
    return seconds, dealt_with


def _steps_dealt_with(session):
    return session.scalar(text("SELECT count(*) FROM escalation_steps WHERE claimed_by = 'bench'"))


def _sweep_instants(app, t0, scale):
    """Instants after T0 such that `due_per_sweep` more steps fall due by each."""
    from alerts.models import EscalationStep
    from core.db import db
    k, count = scale["due_per_sweep"], scale["sweeps"]
    with app.app_context():
        due = db.session.scalars(select(EscalationStep.due_at).where(
            EscalationStep.status == "pending", EscalationStep.due_at > t0)
            .order_by(EscalationStep.due_at).limit(k * count)).all()
        db.session.remove()
    if len(due) < k * count:
        raise RuntimeError(f"only {len(due)} steps fall due after T0; {k * count} are needed")
    return [due[k * (i + 1) - 1] for i in range(count)]


def _reset_after(app, t0):
    """Put back every step due after T0 as pending, without its texts: each run starts alike."""
    from core.db import db
    with app.app_context():
        later = "SELECT id FROM escalation_steps WHERE due_at > :t0"
        texts = f"SELECT id FROM messages WHERE step_id IN ({later})"
        db.session.execute(text(f"DELETE FROM message_attempts WHERE message_id IN ({texts})"), {"t0": t0})
        db.session.execute(text(f"DELETE FROM messages WHERE step_id IN ({later})"), {"t0": t0})
        db.session.execute(text(
            "UPDATE escalation_steps SET status = 'pending', claimed_by = NULL, claimed_at = NULL, "
            "processed_at = NULL, outcome = NULL WHERE due_at > :t0"), {"t0": t0})
        db.session.execute(text("DELETE FROM worker_heartbeats"))
        db.session.commit()
        db.session.remove()


def _counts(app):
    from core.db import db
    with app.app_context():
        in_custody = db.session.scalar(text("SELECT count(*) FROM detentions WHERE status = 'in_custody'"))
        closed = db.session.scalar(text("SELECT count(*) FROM detentions WHERE status = 'released'"))
        db.session.remove()
    return in_custody, closed


def _profile(context, app, t0, instants):
    _reset_after(app, t0)
    profile(context, "sweep-large", lambda: _timed_sweep(app, instants[0]), interval=0.0005)


# -- Set-up -------------------------------------------------------------------------------

def _prepare_large(context, scale):
    db, namespace = context.db, context.namespace("sweep_large")
    prefix = f"{national.note_for(scale['closed'])}; in custody {scale['large']}"
    note = db.note(namespace) or ""
    if note.startswith(prefix + "; t0="):
        context.log(f"{namespace}: reusing {scale['closed']:,} closed and {scale['large']:,} in custody")
        return datetime.fromisoformat(re.search(r"t0=(\S+)", note).group(1))
    national.ensure_seeded(db, namespace, scale["closed"], context)
    t0 = _add_children_in_custody(context, namespace, scale["large"])
    db.set_note(namespace, f"{prefix}; t0={t0.isoformat()}")
    return t0


def _prepare_small(context, scale):
    namespace = context.namespace("sweep_small")
    context.db.recreate(namespace)
    from core.db import db
    from custody import suites as suite_service
    app = context.db.app(namespace)
    with app.app_context():
        suite_service.seed(db.session, suite_service.read_suites_file(app.config["SUITES_FILE"]))
        db.session.commit()
        db.session.remove()
    return _add_children_in_custody(context, namespace, scale["small"])


def _add_children_in_custody(context, namespace, total):
    """Top the children in custody up to `total`, plan their steps, close what is already due."""
    from alerts.demo import seed_demo_contacts
    from core.clock import utc_now
    from core.db import db
    app = context.db.app(namespace)
    t0 = utc_now().replace(microsecond=0)
    with app.app_context():
        seed_demo_contacts(db.session, t0)
        taken = set(db.session.scalars(text("SELECT sms_code FROM detentions WHERE status = 'in_custody'")))
        context.log(f"{namespace}: writing {total - len(taken):,} children in custody")
        write_children_in_custody(db.session, total - len(taken), t0, random.Random(11), taken)
        db.session.commit()
        db.session.remove()
    context.log(f"{namespace}: planning their steps with flask alerts replan")
    with open(context.results / f"replan-{namespace}.log", "wb") as log:
        subprocess.run(flask_command("alerts", "replan"), cwd=ROOT, env=_env(context.db, namespace), stdout=log,
                       stderr=subprocess.STDOUT, check=True, timeout=3600)
    with app.app_context():
        db.session.execute(text(
            "UPDATE escalation_steps SET status = 'done', processed_at = due_at, "
            "outcome = 'bench: processed before the measured sweeps' WHERE status = 'pending' AND due_at <= :t0"),
            {"t0": t0})
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.session.remove()
    return t0


def _env(databases, namespace):
    import os
    return {**os.environ, **databases.environment(namespace)}


def write_children_in_custody(session, count, t0, rng, codes_taken):
    """`count` children in custody at T0, arrived over the day before, with the facts a busy
    suite records: AA requests (some attended), reviews on time or late, some charged and
    refused bail with accommodation requested. Written through the ORM in chunks."""
    from custody.models import AARequest, AccommodationRequest, Charge, Detention, Review, Suite
    suites = session.scalars(select(Suite).order_by(Suite.id)).all()
    codes = [f"{n:04d}" for n in range(CODES) if f"{n:04d}" not in codes_taken]
    if len(codes) < count:
        raise RuntimeError(f"only {len(codes)} text codes are free for {count} children")
    rng.shuffle(codes)
    for number in range(count):
        suite = suites[number % len(suites)]
        arrived = t0 - timedelta(minutes=rng.uniform(10, 24 * 60))
        detention = Detention(
            suite=suite, reference=f"{suite.code}-{arrived.year}-B{number:06d}", sms_code=codes[number],
            forename="Bench", surname=f"Child {number}", apparent_age=rng.randint(10, 17), age=15,
            looked_after=False, needs=[], has_needs=False, arrived_at=arrived, detention_authorised_at=arrived,
            status="in_custody", overnight=False, created_at=arrived)
        detention.age = detention.apparent_age
        session.add(detention)
        _facts(session, detention, t0, rng, AARequest, Review, Charge, AccommodationRequest)
        if number % 1000 == 999:
            session.flush()
            session.expunge_all()
            suites = session.scalars(select(Suite).order_by(Suite.id)).all()
    session.flush()


def _facts(session, detention, t0, rng, AARequest, Review, Charge, AccommodationRequest):  # noqa: N803
    arrived = detention.arrived_at
    if rng.random() < 0.6:
        requested = arrived + timedelta(minutes=rng.uniform(5, 90))
        if requested < t0:
            attended = requested + timedelta(minutes=rng.uniform(30, 360))
            session.add(AARequest(detention=detention, requested_at=requested,
                                  aa_type=rng.choice(("aa_scheme", "parent_guardian")), contact_name="Duty AA",
                                  arrived_at=attended if attended < t0 and rng.random() < 0.6 else None))
    due = arrived + timedelta(hours=6)
    while due < t0 and rng.random() < 0.8:
        held = due + timedelta(minutes=rng.uniform(-60, 30))
        if held >= t0:
            break
        session.add(Review(detention=detention, due_at=due, held_at=held, reviewer_name="Insp Bench",
                           kind="pre_charge", mode="in_person", child_seen=True, outcome="continue_detention"))
        due = held + timedelta(hours=9)
    if t0 - arrived > timedelta(hours=8) and rng.random() < 0.05:
        charged = arrived + timedelta(hours=rng.uniform(4, 7))
        session.add(Charge(detention=detention, charged_at=charged, offences="Theft", bail="refused"))
        session.add(AccommodationRequest(detention=detention, requested_at=charged + timedelta(minutes=20),
                                         type="non_secure", local_authority="Durham County Council"))
