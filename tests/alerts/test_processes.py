"""The processes that sweep: `flask alerts worker`, `flask alerts sweep`, and the one
in-process scheduler of `flask run` (never twice under the reloader, never elsewhere)."""
import json
import socket
import time
import urllib.request
from datetime import timedelta

import click
import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select

from alerts import scheduler
from alerts import sweep as sweep_module
from alerts.models import Message, WorkerHeartbeat
from core.clock import utc_now
from core.db import db
from tests.alerts.conftest import at, flask_process
from tests.conftest import booking


def wait_for(condition, what, limit=60):
    """Poll until a separate process has done something; fail, saying what, if it never does."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def heartbeats():
    db.session.rollback()  # see what the other process committed
    return {b.worker: b.last_sweep_at for b in db.session.scalars(select(WorkerHeartbeat))}


def stop(process):
    process.terminate()
    try:
        return process.communicate(timeout=20)
    except Exception:
        process.kill()
        raise


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthz(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.load(response)
    except OSError:
        return None


@pytest.mark.slow
def test_the_worker_texts_a_step_that_fell_due(api, clock, chain, flask_env):
    clock.set(utc_now())
    api.post("/api/v1/detentions", json=booking(arrived_at=(clock() - timedelta(hours=1)).isoformat()))
    worker = flask_process(flask_env(SWEEP_SECONDS="0.2"), "alerts", "worker")
    try:
        sent = wait_for(lambda: db.session.rollback() or db.session.scalars(
            select(Message).where(Message.status == "sent")).all(), "the worker to send the text")
    finally:
        stop(worker)
    assert [(m.clock, m.role, m.late) for m in sent] == [("aa_not_requested", "custody_inspector", True)]


@pytest.mark.slow
@pytest.mark.parametrize("args", [("run",), ("--debug", "run")], ids=["plain", "with-the-reloader"])
def test_flask_run_sweeps_in_exactly_one_process(app, flask_env, args):
    port = free_port()
    server = flask_process(flask_env(SCHEDULER_ENABLED="1", SWEEP_SECONDS="0.2"),
                           *args, "--port", str(port), "--no-debugger")
    try:
        health = wait_for(lambda: healthz(port), "flask run to answer /healthz")
        seen = set()
        # Several sweeps of the serving process: a second scheduler would have swept by then.
        wait_for(lambda: seen.update(heartbeats().values()) or len(seen) >= 4, "four sweeps")
        workers = heartbeats()
    finally:
        stop(server)
    assert health["scheduler"] == "running in this process"
    assert len(workers) == 1
    assert not next(iter(workers)).endswith(f":{server.pid}") or args == ("run",)


@pytest.mark.slow
def test_scheduler_enabled_0_keeps_flask_run_from_sweeping(app, flask_env):
    port = free_port()
    server = flask_process(flask_env(SCHEDULER_ENABLED="0"), "run", "--port", str(port))
    try:
        health = wait_for(lambda: healthz(port), "flask run to answer /healthz")
    finally:
        stop(server)
    assert health["scheduler"] == "disabled" and heartbeats() == {}


@pytest.mark.parametrize("command,reload,reloader_child,starts", [
    ("run", False, False, True),
    ("run", True, False, False),   # the reloader's watching parent
    ("run", True, True, True),     # the reloader's serving child
    ("upgrade", False, False, False),
    ("sweep", False, False, False),
])
def test_only_the_serving_process_of_flask_run_starts_a_scheduler(monkeypatch, command, reload, reloader_child,
                                                                  starts):
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    if reloader_child:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    context = click.Context(click.Command(command), info_name=command)
    context.params["reload"] = reload
    with context:
        assert scheduler.serving_with_flask_run() is starts


def test_no_scheduler_outside_a_command(app):
    assert scheduler.serving_with_flask_run() is False  # gunicorn workers, tests
    assert scheduler.start_in_process(app) is None


def test_the_worker_ticks_at_least_every_sweep_seconds_one_sweep_at_a_time(app):
    app.config["SWEEP_SECONDS"] = 7.5
    job = scheduler.build(app, BlockingScheduler).get_job("sweep")
    assert job.trigger.interval == timedelta(seconds=7.5)
    assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, None)


def book_at(api, clock, arrived_at):
    clock.set(arrived_at)
    created = api.post("/api/v1/detentions", json=booking(arrived_at=arrived_at.isoformat()))
    assert created.status_code == 201, created.json


def test_the_next_sweep_is_when_the_next_step_falls_due_if_that_is_sooner(app, api, clock, chain, sweep):
    app.config["SWEEP_SECONDS"] = 60
    book_at(api, clock, at("02:00"))  # "no AA requested" falls due at 02:30
    report = sweep(at("02:30") - timedelta(seconds=2))
    assert report.sent == [] and scheduler.seconds_to_next_sweep(app, report) == 2.0


def test_the_next_sweep_is_never_later_than_sweep_seconds(app, api, clock, chain, sweep):
    app.config["SWEEP_SECONDS"] = 5
    assert scheduler.seconds_to_next_sweep(app, sweep(at("01:00"))) == 5  # nothing planned at all
    book_at(api, clock, at("02:00"))
    assert scheduler.seconds_to_next_sweep(app, sweep(at("02:29"))) == 5  # due in a minute


def test_a_text_waiting_to_be_retried_wakes_the_worker(app, api, clock, chain, sweep, twilio):
    app.config["SWEEP_SECONDS"] = 60
    book_at(api, clock, at("02:00"))
    twilio.fail_next("429")
    report = sweep(at("02:30"))  # retried in 30 s; the next step (the review's) is at 07:30
    assert report.sent == [] and scheduler.seconds_to_next_sweep(app, report) == 30.0


def test_a_step_that_fell_due_while_the_sweep_ran_is_swept_at_once(app, api, clock, chain, sweep):
    app.config["SWEEP_SECONDS"] = 60
    book_at(api, clock, at("02:00"))
    report = sweep(at("02:30") - timedelta(seconds=1))
    clock.set(at("02:30") + timedelta(seconds=2))  # as if that sweep took 3 s
    assert scheduler.seconds_to_next_sweep(app, report) == 0


def test_a_step_waiting_for_another_worker_does_not_wake_this_one(app, api, clock, chain, sweep):
    app.config["SWEEP_SECONDS"] = 60
    book_at(api, clock, at("02:00"))
    clock.set(at("02:30"))
    # Due by the sweep's instant and still pending after it: held by another worker, this moment.
    report = sweep_module.SweepReport(now=at("02:30"))
    assert scheduler.seconds_to_next_sweep(app, report) == 60


def test_the_scheduler_runs_the_next_sweep_when_the_sweep_says(app, api, clock, chain):
    app.config["SWEEP_SECONDS"] = 3600
    book_at(api, clock, at("02:00"))
    clock.set(at("02:28"))  # the step falls due in 120 s, by the app's clock
    background = scheduler.build(app, BackgroundScheduler)
    started = utc_now()
    background.start()
    try:
        # First the interval's next tick (an hour on), then, once the first sweep has returned, 120 s.
        job = wait_for(lambda: (job := background.get_job("sweep")).next_run_time < started + timedelta(minutes=10)
                       and heartbeats() and job, "the first sweep to move the next")
        swept = utc_now()
    finally:
        background.shutdown(wait=False)
    assert started + timedelta(seconds=120) <= job.next_run_time <= swept + timedelta(seconds=120)


@pytest.mark.slow
def test_the_worker_sends_a_step_that_falls_due_before_its_next_tick(api, clock, chain, flask_env):
    # Booked before the worker starts, due a little after: its first sweep finds nothing due, and
    # with an hour between ticks only waking at the step's deadline sends it.
    book_at(api, clock, utc_now() - timedelta(minutes=30) + timedelta(seconds=10))
    worker = flask_process(flask_env(SWEEP_SECONDS="3600"), "alerts", "worker")
    try:
        sent = wait_for(lambda: db.session.rollback() or db.session.scalars(
            select(Message).where(Message.status == "sent")).all(), "the worker to send the text")
    finally:
        stop(worker)
    assert [(m.clock, m.role) for m in sent] == [("aa_not_requested", "custody_inspector")]


def test_sweep_refuses_a_time_without_an_offset(runner):
    result = runner.invoke(args=["alerts", "sweep", "--now", "2026-11-28T15:30"])
    assert result.exit_code == 2 and "has no offset" in result.output


def test_sweep_reports_what_it_did(runner, chain, api, clock):
    clock.set(utc_now())
    api.post("/api/v1/detentions", json=booking(arrived_at=(clock() - timedelta(hours=1)).isoformat()))
    result = runner.invoke(args=["alerts", "sweep"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "1 sent, 0 failed, 0 cancelled, 0 with no one to text."
    assert result.output.startswith("sent LATE custody_inspector Inspector on duty +447700900103: ")


def test_demo_contacts_give_every_suite_a_chain_of_drama_numbers_once(app, runner):
    from alerts.models import CONTACT_ROLES, Contact
    first = runner.invoke(args=["demo", "contacts"])
    assert first.exit_code == 0 and first.output.strip() == "18 demonstration contact(s) added."
    assert runner.invoke(args=["demo", "contacts"]).output.strip() == "0 demonstration contact(s) added."
    chain = db.session.scalars(select(Contact)).all()
    assert {c.role for c in chain} == set(CONTACT_ROLES)
    assert all("+447700900000" <= c.phone <= "+447700900999" for c in chain)
    assert len({c.phone for c in chain}) == len(chain)
