"""The scheduler wakes the sweep; every deadline lives in the database.

After each sweep the job is moved to the next deadline the database holds (the earliest pending
step, or the earliest text waiting for a retry or a reconciliation), or SWEEP_SECONDS from now if
that is sooner: SWEEP_SECONDS is the longest the worker sleeps, so a step planned meanwhile by the
web app (or by another worker's host) is found within it. The job stays an interval job of
SWEEP_SECONDS, so a sweep that failed is tried again at the next tick.

One scheduler per process: `flask alerts worker` runs a BlockingScheduler; `flask run` (what
`make run` serves) starts one BackgroundScheduler in the process that serves requests. Never
under gunicorn (web workers do not sweep), never for other commands (`flask db upgrade`),
never in tests, and never when SCHEDULER_ENABLED=0. Running several at once is safe anyway:
steps and messages are claimed in the database, not in memory.
"""
import atexit
import logging
from datetime import timedelta, timezone
from functools import partial

import click
from apscheduler.events import EVENT_JOB_EXECUTED
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from flask.helpers import get_debug_flag
from werkzeug.serving import is_running_from_reloader

from alerts import senders, sweep
from core.clock import utc_now
from core.db import db

log = logging.getLogger(__name__)
_in_process = {}  # the BackgroundScheduler this process started, if any
JOB = "sweep"


def run_sweep(app, now=None):
    """One sweep as of `now` (default: the app's clock), with the configured sender."""
    return sweep.sweep(db.session, now or app.config["CLOCK"](), app.extensions["alerts"].policy,
                       senders.sender_for(app.config))


def tick(app):
    """One sweep; returns the instant (real UTC time) at which the next should begin."""
    wait = app.config["SWEEP_SECONDS"]
    with app.app_context():
        try:
            report = run_sweep(app)
            if report.sent or report.failed:
                log.info("sweep: %d sent, %d failed", len(report.sent), len(report.failed))
            wait = seconds_to_next_sweep(app, report)
        except Exception:  # noqa: BLE001 - one failed sweep must not stop the next
            log.exception("sweep failed; the next tick will try again")
            db.session.rollback()
        finally:
            db.session.remove()
    return utc_now() + timedelta(seconds=wait)


def seconds_to_next_sweep(app, report):
    """From now (the app's clock) to the next deadline after the sweep's instant, at most
    SWEEP_SECONDS; none at all if the sweep ran out of budget with work left."""
    longest = app.config["SWEEP_SECONDS"]
    if report.out_of_time:
        return 0.0
    deadline = sweep.next_deadline(db.session, report.now)
    if deadline is None:
        return longest
    return min(max((deadline - app.config["CLOCK"]()).total_seconds(), 0.0), longest)


def build(app, scheduler_class):
    scheduler = scheduler_class(timezone=timezone.utc)
    # max_instances=1 and coalesce: a slow sweep is never overlapped or queued up behind. Late
    # (a busy machine), a sweep still runs: there is no grace time after which it is skipped.
    scheduler.add_job(tick, "interval", args=[app], id=JOB, seconds=app.config["SWEEP_SECONDS"],
                      max_instances=1, coalesce=True, misfire_grace_time=None, next_run_time=utc_now())
    # Moved once the sweep has returned, when APScheduler no longer counts it as running: moved
    # from inside the job, a next run due at once would be skipped as a second instance.
    scheduler.add_listener(partial(_run_next_sweep_at, scheduler), EVENT_JOB_EXECUTED)
    return scheduler


def _run_next_sweep_at(scheduler, event):
    # Not while shutting down: shutdown(wait=True) holds the job stores' lock while it waits for
    # a running sweep, which would wait here for that lock. Stop a scheduler with wait=False.
    if event.job_id != JOB or scheduler.state == STATE_STOPPED:
        return
    try:
        scheduler.modify_job(JOB, next_run_time=event.retval)
    except JobLookupError:  # removed meanwhile
        pass


def serving_with_flask_run():
    """True in the one process of `flask run` that serves requests.

    Under the reloader the app is built twice, in the watching parent and in the serving
    child; only the child (WERKZEUG_RUN_MAIN) may sweep, or every text would go twice.
    """
    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run":
        return False
    reload = context.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    return is_running_from_reloader() or not reload


def start_in_process(app):
    if not app.config["SCHEDULER_ENABLED"] or app.testing or _in_process or not serving_with_flask_run():
        return None
    scheduler = build(app, BackgroundScheduler)
    scheduler.start()
    _in_process["scheduler"] = scheduler
    atexit.register(lambda: scheduler.shutdown(wait=False))
    log.info("in-process scheduler sweeping at each deadline, at least every %ss", app.config["SWEEP_SECONDS"])
    return scheduler


def state(app):
    scheduler = _in_process.get("scheduler")
    if scheduler is not None:
        return "running in this process" if scheduler.running else "stopped"
    return "not in this process (flask alerts worker)" if app.config["SCHEDULER_ENABLED"] else "disabled"
