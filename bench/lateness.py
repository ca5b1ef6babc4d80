"""Alert lateness: from a step's due instant to the fake provider receiving the text.

1,000 children are booked through the real service, each arrived 30 minutes before its
`aa_not_requested` step falls due; the due instants are spread evenly over a window that opens
after the bookings are done (5 per second at full scale, a burst far above the national rate
of a few steps an hour). Then the real worker (`flask alerts worker`, the production default
SWEEP_SECONDS unless BENCH_SWEEP_SECONDS says otherwise) sends through the real twilio client
to the fake Twilio API of the alerts tests, which notes when each text arrives.

The lateness of a text splits in two, both reported: waiting for the next sweep to start
(the step's `claimed_at`, the sweep's instant, minus its due instant) and the sweep's own work
until the provider has the text.
"""
import os
import random
import time
from datetime import timedelta

from sqlalchemy import text

from bench.children import book_children, setup_suites_and_sergeant
from bench.core import Figure, benchmark, median, percentile
from bench.processes import flask_command, running
from bench.profiling import profile

# 5 steps a second: a burst far above the national rate (a few an hour), yet below what one
# worker sends (at 10 a second it falls behind and the figure measures its throughput instead).
FULL = {"steps": 1000, "window": 200.0, "drain": 120.0, "lead": 20.0}
QUICK = {"steps": 10, "window": 2.0, "drain": 60.0, "lead": 3.0}
BOOKING_ALLOWANCE = 0.15   # seconds per booking set aside before the window opens
FROM_NUMBER = "+447700900000"


def _timed_fake():
    from core.clock import utc_now
    from tests.alerts.fake_twilio import FakeTwilio

    class TimedFakeTwilio(FakeTwilio):
        """The alerts tests' fake Twilio API, noting when each text reached it (epoch seconds)."""

        def __init__(self):
            self.received = {}
            super().__init__(utc_now)

        def _queue(self, form):
            received = time.time()
            message = super()._queue(form)
            self.received[message["sid"]] = received
            return message
    return TimedFakeTwilio()


@benchmark("lateness", targets=("lateness p99",),
           description="from a step's due instant to the fake provider receiving the text, 1,000 steps")
def lateness(context):
    from core.clock import utc_now
    scale = QUICK if context.quick else FULL
    sweep_seconds = _sweep_seconds(context)
    db = context.db
    namespace = context.namespace("lateness")
    db.recreate(namespace)
    app = db.app(namespace)
    started = utc_now()
    setup_suites_and_sergeant(app, started)
    _demo_contacts(app, started)
    opens = started + timedelta(seconds=BOOKING_ALLOWANCE * scale["steps"] + scale["lead"])
    spacing = scale["window"] / scale["steps"]
    due = [opens + timedelta(seconds=spacing * i) for i in range(scale["steps"])]
    context.log(f"lateness: booking {scale['steps']} children; their steps fall due from {opens:%H:%M:%S} UTC")
    book_children(app, [d - timedelta(minutes=30) for d in due], utc_now(), random.Random(5), events_too=False)

    fake = _timed_fake()
    try:
        env = db.environment(namespace, SMS_BACKEND="twilio", **_twilio_settings(fake), SWEEP_SECONDS=sweep_seconds)
        with running(flask_command("alerts", "worker"), env, context.results / "lateness-worker.log") as worker:
            worker_started = time.time()
            late_start = sum(1 for d in due if d.timestamp() < worker_started)
            _wait_until_sent(app, worker, due[-1].timestamp() + scale["drain"], scale["steps"])
        rows = _sent(app)
        if context.profile:
            _profile_sweep(context, db, namespace, fake)
    finally:
        fake.stop()
    return _figures(rows, fake.received, scale, sweep_seconds, late_start)


def _profile_sweep(context, db, namespace, fake, texts=40):
    """One sweep with `texts` steps due, in this process through the same fake, under pyinstrument."""
    from alerts import scheduler
    from core.clock import utc_now
    from core.db import db as database
    now = utc_now()
    book_children(db.app(namespace), [now - timedelta(minutes=31, seconds=i) for i in range(texts)], now,
                  random.Random(6), events_too=False, first_number=100_000)
    app = db.app(namespace, SMS_BACKEND="twilio", **_twilio_settings(fake))
    with app.app_context():
        scheduler.run_sweep(app, now - timedelta(minutes=5))   # nothing due yet: a warm client
        profile(context, "lateness-sweep", lambda: scheduler.run_sweep(app, utc_now()), interval=0.0005)
        database.session.remove()


def _sweep_seconds(context):
    import config
    override = os.environ.get("BENCH_SWEEP_SECONDS")
    return float(override) if override else config.from_environment(
        {"SECRET_KEY": "x" * 40}, str(context.results / "instance"))["SWEEP_SECONDS"]


def _twilio_settings(fake):
    from tests.alerts.fake_twilio import ACCOUNT_SID, AUTH_TOKEN
    return {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM": FROM_NUMBER,
            "PUBLIC_BASE_URL": "http://127.0.0.1:9", "TWILIO_API_BASE_URL": fake.base_url}


def _demo_contacts(app, now):
    from alerts.demo import seed_demo_contacts
    from core.db import db
    with app.app_context():
        seed_demo_contacts(db.session, now)
        db.session.commit()
        db.session.remove()


def _wait_until_sent(app, worker, deadline, expected):
    from core.db import db
    while time.time() < deadline:
        if worker.poll() is not None:
            raise RuntimeError("the alert worker exited early; see lateness-worker.log")
        with app.app_context():
            sent = db.session.scalar(text(
                "SELECT count(*) FROM messages m JOIN escalation_steps s ON s.id = m.step_id "
                "WHERE s.clock = 'aa_not_requested' AND m.sent_at IS NOT NULL"))
            db.session.remove()
        if sent >= expected:
            return
        time.sleep(0.5)


def _sent(app):
    from core.db import db
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT m.provider_sid, s.due_at, s.claimed_at FROM escalation_steps s "
            "LEFT JOIN messages m ON m.step_id = s.id WHERE s.clock = 'aa_not_requested'")).all()
        db.session.remove()
    return rows


def _figures(rows, received, scale, sweep_seconds, late_start):
    total, waiting, working = [], [], []
    for sid, due_at, claimed_at in rows:
        if sid not in received:
            continue
        total.append(received[sid] - due_at.timestamp())
        waiting.append((claimed_at - due_at).total_seconds())
        working.append(received[sid] - claimed_at.timestamp())
    missing = scale["steps"] - len(total)
    rate = scale["steps"] / scale["window"]
    note = f"{len(total)} texts due at {rate:g}/s, SWEEP_SECONDS={sweep_seconds:g}"
    if missing:
        note += f"; {missing} never reached the provider"
    if late_start:
        note += f"; {late_start} fell due before the worker started"
    return [
        Figure("lateness p50", median(total), "s", note=note),
        Figure("lateness p99", percentile(total, 99) if not missing else None, "s", 1.0, note=note),
        Figure("waiting for the sweep, p99", percentile(waiting, 99), "s", note="claimed_at - due"),
        Figure("sweep's own work, p99", percentile(working, 99), "s", note="received - claimed_at"),
        Figure("lateness max", max(total) if total else None, "s"),
    ]
