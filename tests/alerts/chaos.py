"""The chaos run: every due escalation step texted exactly once per recipient, under faults.

Real `flask alerts worker` processes (three by default) sweep one database and send through the
real `twilio` client to the fake Twilio API on loopback, which fails about 30% of the texts at
random (seeded): 429s, 500s before and after queuing the text, answers slower than the client's
timeout (after queuing it), permanent refusals, failing message-list reads, and refused
connections for short windows. Meanwhile the workers are killed with SIGKILL at random moments
and started again. When every due step has been processed (or the time limit passes) the
workers are stopped and the outcome is checked against what the fake provider queued:

- every due step was texted exactly once to each of its recipients: the provider holds each
  (To, Body) once, no duplicates, none missing, nothing nobody asked for; a text the provider
  refused for good is `failed` and was never queued;
- nothing is left `pending` or `claimed` among the steps, nor `pending`, `sending` or `unknown`
  among the messages;
- every ambiguous send (a timeout or 5xx after the request went out, or a send cut short by a
  kill) was reconciled against the provider's message list before anything was resent.

The steps are planned by the real booking and event services (`custody.booking.book`,
`custody.events.request_aa`), for children whose every step is already due, so the count of
due steps is exact and nothing new falls due during the run. A child whose AA was called out
also keeps the "no AA requested" step planned at booking, which the request stopped: it falls
due with its clock stopped, and must be cancelled, never texted.

Time: the engine's waits (30 s before reconciling, backoff from 30 s to 10 minutes, a 5-minute
lease on a text being sent) would make a run take hours of real time. The workers and the fake
provider therefore share a clock that runs `warp` times faster than the wall clock (the clock is
the boundary the tests fake anyway). What the engine bounds in real seconds is scaled with it:
the sweep's send budget is divided by `warp` (60 s is 2 s at x30), and the client's timeout is
kept at 0.5 s (15 s of the engine's clock), so a lease still outlives everything a sweep claims.

    make chaos                                          # 2,000 steps, a fresh database `chaos`
    .venv/bin/python -m tests.alerts.chaos --steps 300 --database chaos_try --keep

The CI version, on SQLite or PostgreSQL, is tests/alerts/test_chaos.py.
"""
import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from alerts import delivery
from alerts.models import Contact, EscalationStep, Message, MessageAttempt
from core.db import db
from custody.models import AARequest, Detention
from tests.alerts.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, REFUSALS, FakeTwilio, RandomFaults

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)  # the engine's "now" when a run starts
FROM_NUMBER = "+447700900000"
PUBLIC_BASE_URL = "https://custody.example.test"
ROLES = ("aa_scheme", "aa_scheme_coordinator", "custody_inspector", "duty_superintendent",
         "local_authority_edt")
SECOND_INSPECTOR = 9  # each suite has two inspectors on duty: a step texts both, in one transaction
# Each POST: ~27% fail at random; the refused-connection windows bring it to about 30%.
POST_FAULTS = {"429": 0.07, "500": 0.05, "500-queued": 0.05, "slow": 0.08, "21211": 0.02}
LIST_FAULTS = 0.10
WAITING = ("pending", "sending", "unknown")
STEP_OPEN = ("pending", "claimed")
# A child who is waiting for nothing but the first review: 3 steps (aa_not_requested, review -30/+15).
WAITING_STEPS = 3
# A child whose AA scheme was called out and never came: 7 steps (both call-out texts, the three
# of aa_not_arrived, both of the review). Every one of them is due by the time the run starts.
CALLOUT_STEPS = 7


@dataclass
class Plan:
    steps: int = 2000
    workers: int = 3
    seed: int = 1
    kills: int | None = None               # exactly this many SIGKILLs; None: keep killing until done
    kill_every: tuple = (3.0, 10.0)        # seconds between kills (uniform)
    blackouts: int = 2                     # times all workers are killed at once, a text in flight
    refuse_every: tuple = (4.0, 12.0)      # seconds between windows of refused connections
    refuse_for: tuple = (0.3, 1.5)         # how long each window lasts
    post_faults: dict = field(default_factory=lambda: dict(POST_FAULTS))
    list_faults: float = LIST_FAULTS
    warp: float = 30.0                     # the engine's clock runs this many times faster
    sweep_seconds: float = 0.2
    timeout_seconds: float = 0.5           # TWILIO_TIMEOUT_SECONDS
    slow_seconds: float = 1.0              # how long a "slow" answer takes (beyond the timeout)
    delay_seconds: float = 0.01            # every answer takes this long, as over a network
    time_limit: float = 600.0


# -- the clock ---------------------------------------------------------------------------

class WarpedClock:
    """`factor` times faster than the wall clock, reading `origin` at wall time `wall`.

    Every process of a run computes the same instant from the same three numbers, so the
    workers and the fake provider agree on the time as the engine and Twilio would.
    """

    def __init__(self, origin, wall, factor):
        self.origin, self.wall, self.factor = origin, wall, factor

    def __call__(self):
        return self.origin + timedelta(seconds=(time.time() - self.wall) * self.factor)

    def encode(self):
        return f"{self.origin.isoformat()} {self.wall!r} {self.factor!r}"

    @classmethod
    def decode(cls, value):
        origin, wall, factor = value.split()
        return cls(datetime.fromisoformat(origin), float(wall), float(factor))


def worker_app():
    """FLASK_APP of the chaos workers: the real app from the environment, on the warped clock."""
    from app import create_app
    clock = WarpedClock.decode(os.environ["CHAOS_CLOCK"])
    app = create_app()
    app.config["CLOCK"] = clock
    # The send budget is the engine's one bound in real seconds: scaled with the clock, so the
    # lease (counted on the clock) still outlives everything a sweep may do after its `now`.
    delivery.SEND_BUDGET_SECONDS = delivery.SEND_BUDGET_SECONDS / clock.factor
    return app


# -- the due steps -----------------------------------------------------------------------

def mix(steps):
    """(children waiting for a review, children whose AA never came) with exactly `steps` steps."""
    callouts = round(steps * 0.35 / CALLOUT_STEPS)
    while callouts >= 0 and (steps - callouts * CALLOUT_STEPS) % WAITING_STEPS:
        callouts -= 1
    if callouts < 0:
        raise ValueError(f"{steps} steps cannot be made of children with {WAITING_STEPS} and {CALLOUT_STEPS}")
    return (steps - callouts * CALLOUT_STEPS) // WAITING_STEPS, callouts


def phone(suite_number, role_number):
    return f"+447700900{suite_number}{role_number:02d}"  # Ofcom's drama range: never a real phone


def add_contacts(session, suites, now):
    from alerts import contacts
    for suite_number, suite in enumerate(suites, start=1):
        people = [(role, f"{role} {suite.code}", phone(suite_number, n)) for n, role in enumerate(ROLES, start=1)]
        people.append(("custody_inspector", f"second inspector {suite.code}", phone(suite_number, SECOND_INSPECTOR)))
        for role, name, number in people:
            contacts.create(session, {"suite": suite.code, "role": role, "name": name, "phone": number,
                                      "window_start": None, "window_end": None}, None, now)


def prepare(session, steps, now, seed):
    """Contacts for every role at every suite, and children booked in through the real services
    whose escalation steps are all due at `now`: exactly `steps` to text, and one stopped step
    per AA call-out. Returns the number of children."""
    from custody import booking, events
    from custody.models import Suite
    from custody.schemas import AARequestIn, DetentionIn

    rng = random.Random(seed)
    suites = session.scalars(select(Suite).where(Suite.active).order_by(Suite.id)).all()
    add_contacts(session, suites, now)
    waiting, callouts = mix(steps)
    kinds = ["waiting"] * waiting + ["callout"] * callouts
    rng.shuffle(kinds)
    for number, kind in enumerate(kinds):
        arrived = now - timedelta(hours=7 if kind == "waiting" else 9, minutes=rng.randrange(0, 240))
        born = arrived - timedelta(days=365 * rng.randint(10, 17) + rng.randint(30, 300))
        data = DetentionIn().load({
            "suite": rng.choice(suites).code, "forename": "Chaos", "surname": f"Child {number}",
            "date_of_birth": born.date().isoformat(), "arrived_at": arrived.isoformat(), "offence": "Theft"})
        detention = booking.book(session, data, None, now)
        if kind == "callout":
            request = AARequestIn().load({"requested_at": (arrived + timedelta(minutes=10)).isoformat(),
                                          "aa_type": "aa_scheme"})
            events.request_aa(session, detention, request, None, now)
    session.commit()
    planned = session.scalar(select(func.count()).select_from(EscalationStep))
    due = session.scalar(select(func.count()).select_from(EscalationStep).where(
        EscalationStep.status == "pending", EscalationStep.due_at <= now))
    if not planned == due == steps + callouts:
        raise AssertionError(f"planned {planned} steps, {due} due, wanted {steps} + {callouts} stopped, all due")
    return len(kinds)


# -- the processes -----------------------------------------------------------------------

def worker_env(database_url, clock, fake, plan):
    """The real worker's settings from the environment: Twilio pointed at the fake, and the clock."""
    env = dict(os.environ)
    for name in ("FLASK_DEBUG", "WERKZEUG_RUN_MAIN", "FLASK_RUN_FROM_CLI"):
        env.pop(name, None)
    env.update({
        "FLASK_APP": "tests.alerts.chaos:worker_app()", "CHAOS_CLOCK": clock.encode(),
        "DATABASE_URL": database_url, "SECRET_KEY": "c" * 40, "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
        "SCHEDULER_ENABLED": "0", "SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM": FROM_NUMBER, "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_API_BASE_URL": fake.base_url, "TWILIO_TIMEOUT_SECONDS": str(plan.timeout_seconds),
        "SWEEP_SECONDS": str(plan.sweep_seconds)})
    return env


class Workers:
    """`flask alerts worker` processes, each slot logging to a file of its own."""

    def __init__(self, count, env, log_dir):
        self.env, self.log_dir = env, Path(log_dir)
        self.processes = [None] * count
        self.started = 0
        for slot in range(count):
            self.start(slot)

    def start(self, slot):
        log = open(self.log_dir / f"worker-{slot}.log", "a")
        self.processes[slot] = subprocess.Popen(
            [sys.executable, "-m", "flask", "alerts", "worker"], cwd=ROOT, env=self.env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.started += 1

    def kill(self, slot):
        process = self.processes[slot]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def crashed(self):
        """Slots whose worker exited by itself (not killed by us): a worker must not die."""
        return [slot for slot, p in enumerate(self.processes) if p.poll() is not None]

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def logs(self):
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.log_dir.glob("worker-*.log")))


class Refusals(threading.Thread):
    """Close the fake provider's port for short windows at random: connections are refused."""

    def __init__(self, fake, plan, rng):
        super().__init__(name="chaos-refusals", daemon=True)
        self.fake, self.plan, self.rng = fake, plan, rng
        self.windows = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(self.rng.uniform(*self.plan.refuse_every)):
            with self.fake.refusing():
                self.windows += 1
                self.done.wait(self.rng.uniform(*self.plan.refuse_for))


def _open_work():
    """(steps still pending or claimed, {status: messages} still waiting to be sent or reconciled,
    messages written so far)."""
    with db.engine.connect() as connection:
        steps = connection.scalar(select(func.count()).select_from(EscalationStep)
                                  .where(EscalationStep.status.in_(STEP_OPEN)))
        waiting = dict(connection.execute(select(Message.status, func.count()).where(Message.status.in_(WAITING))
                                          .group_by(Message.status)).tuples().all())
        texts = connection.scalar(select(func.count()).select_from(Message))
    return steps, waiting, texts


def open_work():
    try:
        return _open_work()
    except OperationalError:  # SQLite: a worker holds the write lock a moment too long
        return None


def _left_sending():
    for _ in range(20):
        try:
            with db.engine.connect() as connection:
                return connection.scalar(select(func.count()).select_from(Message).where(Message.status == "sending"))
        except OperationalError:  # SQLite: rolling back the journal a killed worker left
            time.sleep(0.1)
    return 0


# -- the run -----------------------------------------------------------------------------

class Chaos:
    """Kills a worker at random intervals and starts it again; once in a while kills them all at
    the same instant while a text is in flight (so a send is certainly cut short); restarts a
    worker that exited by itself (and counts it: that must not happen)."""

    def __init__(self, plan, workers, fake, out):
        self.plan, self.workers, self.fake, self.out = plan, workers, fake, out
        self.rng = random.Random(plan.seed)
        self.kills = self.blackouts = self.missed_blackouts = self.crashes = 0
        self.at_work = False
        self.next_kill = self.next_blackout = None

    def until_done(self):
        """True once every due step and text is settled (and every planned kill made)."""
        started = time.monotonic()
        next_poll = next_report = started
        while (now := time.monotonic()) - started < self.plan.time_limit:
            time.sleep(0.02)
            if self.at_work and self.blackouts < self.plan.blackouts and now >= self.next_blackout \
                    and self.fake.posts_in_flight(younger_than=self.plan.timeout_seconds / 2):
                self.blackout()
            if now < next_poll:
                continue
            next_poll = now + 0.25
            self.restart_crashed()
            work = open_work()
            if work is None:
                continue
            steps_open, waiting, texts = work
            if now >= next_report:
                next_report = now + 5
                self.out(f"  {now - started:5.1f} s: {steps_open} steps open, {texts} texts, waiting {waiting}; "
                         f"{self.kills} kills, {self.blackouts} blackouts")
            if texts and not self.at_work:  # the workers are at work: let the killing begin
                self.at_work = True
                self.next_blackout = now
                self.next_kill = now + self.rng.uniform(0, self.plan.kill_every[0])
            kills_left = self.plan.kills is None or self.kills < self.plan.kills
            if not steps_open and not waiting and not (self.plan.kills is not None and kills_left):
                return True
            if self.at_work and now >= self.next_kill and kills_left:
                self.kill_one()
        return False

    def kill_one(self):
        slot = self.rng.randrange(self.plan.workers)
        self.workers.kill(slot)
        self.kills += 1
        time.sleep(self.rng.uniform(0, 0.5))
        self.workers.start(slot)
        self.next_kill = time.monotonic() + self.rng.uniform(*self.plan.kill_every)

    def blackout(self):
        """Kill every worker at once. It counts if it cut a send short: with no worker alive, a
        text left `sending` was claimed and its attempt counted, and its answer will never be
        recorded. (A text in flight at the fake is no proof: on a busy machine its worker may
        have timed out before the kill.) One that cut nothing is tried again soon."""
        for slot in range(self.plan.workers):
            self.workers.kill(slot)
        cut = _left_sending()
        for slot in range(self.plan.workers):
            self.workers.start(slot)
        if cut:
            self.blackouts += 1
            self.next_blackout = time.monotonic() + self.rng.uniform(*self.plan.kill_every) * 2
        else:
            self.missed_blackouts += 1
            self.next_blackout = time.monotonic() + 1

    def restart_crashed(self):
        for slot in self.workers.crashed():
            self.crashes += 1
            self.workers.start(slot)


def run(database_url, plan, log_dir=None, out=print):
    """Prepare the due steps, run the workers through the faults, stop them, check. Needs an
    app context on `database_url` with the schema migrated and the suites seeded."""
    children = prepare(db.session, plan.steps, ORIGIN, plan.seed)
    db.session.remove()
    clock = WarpedClock(ORIGIN, time.time(), plan.warp)
    fake = FakeTwilio(clock, slow_seconds=plan.slow_seconds, delay_seconds=plan.delay_seconds,
                      faults=RandomFaults(plan.post_faults, plan.list_faults, seed=plan.seed))
    log_dir = log_dir or tempfile.mkdtemp(prefix="chaos-")
    out(f"chaos: {plan.steps} due steps for {children} children; {plan.workers} workers on "
        f"{db.engine.dialect.name}, the fake Twilio at {fake.base_url}, clock x{plan.warp:g}, seed {plan.seed}; "
        f"worker logs in {log_dir}")
    refusals = Refusals(fake, plan, random.Random(plan.seed + 1))
    started = time.monotonic()
    workers = Workers(plan.workers, worker_env(database_url, clock, fake, plan), log_dir)
    chaos = Chaos(plan, workers, fake, out)
    try:
        refusals.start()
        finished = chaos.until_done()
    finally:
        refusals.done.set()
        refusals.join(timeout=10)
        workers.stop()
        fake.stop()
    took = time.monotonic() - started
    outcome = check(fake)
    outcome.counts.update(kills=chaos.kills, blackouts=chaos.blackouts, missed_blackouts=chaos.missed_blackouts,
                          crashes=chaos.crashes,
                          refusal_windows=refusals.windows, took=round(took, 1),
                          engine_minutes=round(took * plan.warp / 60), workers_started=workers.started)
    outcome.worker_errors = _errors(workers.logs())
    if not finished:
        outcome.violations.append(f"not finished within the time limit of {plan.time_limit:g} s")
    if chaos.crashes:
        outcome.violations.append(f"{chaos.crashes} worker(s) exited by themselves")
    return outcome


def _errors(logs):
    """The exceptions the workers logged (a sweep that failed is retried by the next tick)."""
    failed_sweeps = logs.count("sweep failed")
    kinds = Counter(m.group(1) for m in re.finditer(r"^(\w[\w.]*(?:Error|Exception)): ", logs, re.MULTILINE))
    return {"failed sweeps": failed_sweeps, **kinds}


# -- the checks --------------------------------------------------------------------------

@dataclass
class Outcome:
    counts: dict = field(default_factory=dict)
    violations: list = field(default_factory=list)
    worker_errors: dict = field(default_factory=dict)

    def report(self):
        c = self.counts
        lines = [
            f"provider: {c['posts']} POSTs answered {dict(sorted(c['answers'].items()))}; "
            f"{c['list_reads']} message-list reads, {c['list_failures']} answered 500; "
            f"{c['refusal_windows']} windows of refused connections",
            f"workers: {c['kills']} killed with SIGKILL and restarted; all at once {c['blackouts']} times "
            f"cutting a send short (+{c['missed_blackouts']} that cut none); {c['workers_started']} started, "
            f"{c['crashes']} exited by themselves; logged: {self.worker_errors}",
            f"steps: {c['due_steps']} due to text + {c['stopped_steps']} due with their clock stopped -> "
            f"{dict(sorted(c['steps'].items()))}",
            f"messages: {c['messages']} for {c['expected_texts']} (step, recipient) pairs -> "
            f"{dict(sorted(c['message_statuses'].items()))}",
            f"provider queued {c['queued']} texts: {c['distinct_queued']} distinct (To, Body), "
            f"{c['duplicates']} duplicated, {c['missing']} missing, {c['unasked']} nobody asked for",
            f"ambiguous: {c['went_unknown']} messages went `unknown` ({c['unknown_attempts']} times); "
            f"{c['found']} times found at the provider, {c['not_found']} not found and sent again; "
            f"they ended {dict(sorted(c['unknown_ended'].items()))}",
            f"cut short by a kill: {c['interrupted']} sends (left `sending` until the lease ran out), "
            f"ended {dict(sorted(c['interrupted_ended'].items()))}",
            f"attempts: {dict(sorted(c['attempt_outcomes'].items()))}; most for one text: {c['most_attempts']}",
            f"took {c['took']} s ({c['engine_minutes']} minutes on the engine's clock)",
        ]
        if self.violations:
            lines += [f"VIOLATION: {v}" for v in self.violations]
        else:
            lines.append("OK: every due step texted exactly once per recipient; nothing left open; "
                         "every ambiguous send reconciled")
        return "\n".join(lines)


def check(fake):
    """Compare the database with what the fake provider queued. Run with the workers stopped."""
    session = db.session
    session.rollback()
    outcome = Outcome()
    counts, violations = outcome.counts, outcome.violations
    steps = session.scalars(select(EscalationStep).order_by(EscalationStep.id)).all()
    messages = session.scalars(select(Message).order_by(Message.id)).all()
    attempts = defaultdict(list)
    for attempt in session.scalars(select(MessageAttempt).order_by(MessageAttempt.id)):
        attempts[attempt.message_id].append(attempt)

    # Steps: every one processed: texted to every contact of its role at its suite, or, when
    # its clock had stopped (no AA requested, but one was), cancelled.
    called_out = set(session.scalars(select(AARequest.detention_id)))
    stopped = {s.id for s in steps if s.clock == "aa_not_requested" and s.detention_id in called_out}
    counts["due_steps"], counts["stopped_steps"] = len(steps) - len(stopped), len(stopped)
    counts["steps"] = Counter(s.status for s in steps)
    wrong = [s.id for s in steps if s.status != ("cancelled" if s.id in stopped else "done")]
    if wrong:
        violations.append(f"{len(wrong)} steps not done (or not cancelled when stopped): {dict(counts['steps'])}")
    phones = defaultdict(set)
    for contact in session.scalars(select(Contact).where(Contact.active)):
        phones[contact.suite_id, contact.role].add(contact.phone)
    suite_of = dict(session.execute(select(EscalationStep.id, _suite_id())).tuples().all())
    expected = {(s.id, number) for s in steps if s.id not in stopped for number in phones[suite_of[s.id], s.role]}
    actual = Counter((m.step_id, m.to) for m in messages)
    counts["expected_texts"], counts["messages"] = len(expected), len(messages)
    if set(actual) != expected or max(actual.values(), default=1) > 1:
        violations.append(f"messages do not match the steps' recipients: {len(expected - set(actual))} missing, "
                          f"{len(set(actual) - expected)} unexpected, "
                          f"{sum(n - 1 for n in actual.values())} doubled")

    # Messages: all settled, each sent one matching the provider's queue exactly once.
    counts["message_statuses"] = Counter(m.status for m in messages)
    unsettled = {s: n for s, n in counts["message_statuses"].items() if s not in ("sent", "delivered", "failed")}
    if unsettled:
        violations.append(f"messages left unsettled: {unsettled}")
    queued = Counter((m["To"], m["Body"]) for m in fake.created)
    sids = {(m["To"], m["Body"]): m["sid"] for m in fake.created}
    counts["posts"], counts["answers"] = len(fake.posts), dict(fake.answers)
    counts["list_reads"], counts["list_failures"] = len(fake.list_requests), fake.list_failures
    counts["queued"], counts["distinct_queued"] = len(fake.created), len(queued)
    counts["duplicates"] = sum(n - 1 for n in queued.values())
    if counts["duplicates"]:
        doubled = [text for text, n in queued.items() if n > 1]
        violations.append(f"{counts['duplicates']} texts queued more than once, e.g. {doubled[:3]}")
    asked = {(m.to, m.body) for m in messages}
    counts["unasked"] = len(set(queued) - asked)
    if counts["unasked"]:
        violations.append(f"{counts['unasked']} texts queued that no message asked for")
    missing = []
    for m in messages:
        if m.status in ("sent", "delivered"):
            if queued[m.to, m.body] != 1 or sids[m.to, m.body] != m.provider_sid:
                missing.append(m.id)
        elif m.status == "failed" and (m.error_code not in REFUSALS or queued[m.to, m.body]):
            violations.append(f"message {m.id} failed without a permanent refusal, or was queued anyway: "
                              f"{m.error_code} {m.error_message}")
    counts["missing"] = len(missing)
    if missing:
        violations.append(f"{len(missing)} messages marked sent are not queued once under their sid: {missing[:5]}")

    # Ambiguous sends and sends cut short by a kill: each reconciled before any resend.
    _check_reconciliation(messages, attempts, counts, violations)
    return outcome


def _suite_id():
    return select(Detention.suite_id).where(Detention.id == EscalationStep.detention_id).scalar_subquery()


SENDS = ("sent", "retry", "permanent")  # what a send that got an answer records (besides `unknown`)
CHECKS = ("reconciled", "not_found")    # what a look in the provider's message list records


def _check_reconciliation(messages, attempts, counts, violations):
    """Walk each message's attempts: after an `unknown`, the provider's list must be looked at
    before the text is sent again; a send cut short by a kill (its attempt counted, its answer
    never recorded) must be followed by such a look too, once its lease has run out."""
    counts["attempt_outcomes"] = Counter(a.outcome for m in messages for a in attempts[m.id])
    counts["most_attempts"] = max((m.attempts for m in messages), default=0)
    counts["found"], counts["not_found"] = (counts["attempt_outcomes"][o] for o in CHECKS)
    counts["went_unknown"] = counts["unknown_attempts"] = counts["interrupted"] = 0
    counts["unknown_ended"], counts["interrupted_ended"] = Counter(), Counter()
    for m in messages:
        history = attempts[m.id]
        outcomes = [a.outcome for a in history]
        unchecked, answered, unprompted_checks = False, 0, 0
        for attempt in history:
            checking = attempt.outcome == "unknown" and (attempt.detail or "").startswith("could not check")
            if attempt.outcome in CHECKS:
                unprompted_checks += not unchecked
                unchecked = False
            elif attempt.outcome in SENDS or (attempt.outcome == "unknown" and not checking):
                if unchecked:
                    violations.append(f"message {m.id} was sent again without a look at the provider's list: "
                                      f"{outcomes}")
                answered += 1
                unchecked = attempt.outcome == "unknown"
        if unchecked or (outcomes and outcomes[-1] == "unknown"):
            violations.append(f"message {m.id} went unknown and was never reconciled: {outcomes}")
        if "unknown" in outcomes:
            counts["went_unknown"] += 1
            counts["unknown_attempts"] += outcomes.count("unknown")
            counts["unknown_ended"][m.status] += 1
        cut = m.attempts - answered
        if cut:
            counts["interrupted"] += cut
            counts["interrupted_ended"][m.status] += 1
        if cut < 0 or unprompted_checks < cut:
            violations.append(f"message {m.id}: {m.attempts} sends counted, {answered} answered, "
                              f"{unprompted_checks} looks after a lost answer: {outcomes}")


# -- make chaos --------------------------------------------------------------------------

def _maintenance_engine(server_url):
    from sqlalchemy import create_engine
    return create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")


def _fresh_database(server_url, name):
    from sqlalchemy import text
    engine = _maintenance_engine(server_url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def _drop_database(server_url, name):
    from sqlalchemy import text
    engine = _maintenance_engine(server_url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def main(argv=None):
    started = time.monotonic()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=Plan.steps)
    parser.add_argument("--workers", type=int, default=Plan.workers)
    parser.add_argument("--seed", type=int, default=Plan.seed)
    parser.add_argument("--time-limit", type=float, default=Plan.time_limit,
                        help="seconds for the whole run, setting up included (default 600)")
    parser.add_argument("--warp", type=float, default=Plan.warp, help="how much faster the engine's clock runs")
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432",
                        help="the PostgreSQL server on which to create (and drop) the database")
    parser.add_argument("--database", default="chaos", help="its name; created fresh, dropped afterwards")
    parser.add_argument("--keep", action="store_true", help="keep the database and the worker logs afterwards")
    args = parser.parse_args(argv)

    import config
    from app import create_app
    from custody import suites

    database_url = f"{args.server}/{args.database}"
    _fresh_database(args.server, args.database)
    log_dir = tempfile.mkdtemp(prefix="chaos-")
    try:
        with tempfile.TemporaryDirectory(prefix="chaos-instance-") as instance:
            app = create_app(config.for_tests(database_url, instance))  # console texts, no scheduler
            with app.app_context():
                from flask_migrate import upgrade
                upgrade()
                suites.seed(db.session, suites.read_suites_file(app.config["SUITES_FILE"]))
                db.session.commit()
                plan = Plan(steps=args.steps, workers=args.workers, seed=args.seed, warp=args.warp,
                            time_limit=args.time_limit - (time.monotonic() - started))
                outcome = run(database_url, plan, log_dir)
                print(outcome.report())
                db.session.remove()
                db.engine.dispose()
    finally:
        if not args.keep:
            _drop_database(args.server, args.database)
    if outcome.violations or args.keep:
        print(f"worker logs kept in {log_dir}")
    else:
        shutil.rmtree(log_dir)
    return 1 if outcome.violations else 0


if __name__ == "__main__":
    sys.exit(main())
