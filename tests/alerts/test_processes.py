"""The processes that sweep: `flask alerts worker`, `flask alerts sweep`, and the one
in-process scheduler of `flask run` (never twice under the reloader, never elsewhere)."""
import json
import socket
import time
import urllib.request
from datetime import timedelta

import click
import pytest
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select

from alerts import scheduler
from alerts.models import Message, WorkerHeartbeat
from core.clock import utc_now
from core.db import db
from tests.alerts.conftest import flask_process
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


def test_the_worker_ticks_every_sweep_seconds_one_sweep_at_a_time(app):
    app.config["SWEEP_SECONDS"] = 7.5
    job = scheduler.build(app, BlockingScheduler).get_job("sweep")
    assert job.trigger.interval == timedelta(seconds=7.5)
    assert (job.max_instances, job.coalesce) == (1, True)


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
