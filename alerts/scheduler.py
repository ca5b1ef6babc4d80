"""The scheduler only ticks; every deadline lives in the database.

One scheduler per process: `flask alerts worker` runs a BlockingScheduler; `flask run` (what
`make run` serves) starts one BackgroundScheduler in the process that serves requests. Never
under gunicorn (web workers do not sweep), never for other commands (`flask db upgrade`),
never in tests, and never when SCHEDULER_ENABLED=0. Running several at once is safe anyway:
steps and messages are claimed in the database, not in memory.
"""
import atexit
import logging
from datetime import timezone

import click
from apscheduler.schedulers.background import BackgroundScheduler
from flask.helpers import get_debug_flag
from werkzeug.serving import is_running_from_reloader

from alerts import senders, sweep
from core.clock import utc_now
from core.db import db

log = logging.getLogger(__name__)
_in_process = {}  # the BackgroundScheduler this process started, if any


def run_sweep(app, now=None):
    """One sweep as of `now` (default: the app's clock), with the configured sender."""
    return sweep.sweep(db.session, now or app.config["CLOCK"](), app.extensions["alerts"].policy,
                       senders.sender_for(app.config))


def tick(app):
    with app.app_context():
        try:
            report = run_sweep(app)
            if report.sent or report.failed:
                log.info("sweep: %d sent, %d failed", len(report.sent), len(report.failed))
        except Exception:  # noqa: BLE001 - one failed sweep must not stop the next
            log.exception("sweep failed; the next tick will try again")
            db.session.rollback()
        finally:
            db.session.remove()


def build(app, scheduler_class):
    scheduler = scheduler_class(timezone=timezone.utc)
    # max_instances=1 and coalesce: a slow sweep is never overlapped or queued up behind.
    scheduler.add_job(tick, "interval", args=[app], id="sweep", seconds=app.config["SWEEP_SECONDS"],
                      max_instances=1, coalesce=True, next_run_time=utc_now())
    return scheduler


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
    log.info("in-process scheduler sweeping every %ss", app.config["SWEEP_SECONDS"])
    return scheduler


def state(app):
    scheduler = _in_process.get("scheduler")
    if scheduler is not None:
        return "running in this process" if scheduler.running else "stopped"
    return "not in this process (flask alerts worker)" if app.config["SCHEDULER_ENABLED"] else "disabled"
