"""flask alerts sweep [--now]; flask alerts worker; flask alerts replan."""
from datetime import datetime, timedelta

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from sqlalchemy import func, select

from alerts import planning, scheduler
from alerts.models import WorkerHeartbeat
from core.db import db
from custody.models import Detention


class Instant(click.ParamType):
    name = "ISO-8601 instant"

    def convert(self, value, param, ctx):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not ISO 8601, e.g. 2026-11-28T15:30:00Z", param, ctx)
        if instant.tzinfo is None:
            self.fail(f"{value!r} has no offset; give Z or +01:00 so the instant is unambiguous", param, ctx)
        return instant


@click.group()
def alerts():
    """Escalation texts: the sweep and the worker that runs it."""


@alerts.command("sweep")
@click.option("--now", type=Instant(), help="Sweep as if it were this instant (replaying a scenario).")
def sweep_command(now):
    """One sweep and send, synchronously; prints each text sent."""
    if now is not None:
        _warn_if_a_worker_is_running()
    report = scheduler.run_sweep(current_app, now)
    for message in report.sent:
        late = " LATE" if message.late else ""
        name = message.contact.name if message.contact else "?"
        click.echo(f"sent{late} {message.role} {name} {message.to}: {message.body}")
    for message in report.failed:
        click.echo(f"FAILED {message.role} {message.to}: {message.error_message}")
    for step in report.no_recipient:
        click.echo(f"NO ONE TO TEXT {step.clock} step {step.step}: {step.outcome}")
    for step_id in report.errors:
        click.echo(f"ERROR step {step_id} could not be processed and is set aside (see the log above)", err=True)
    set_aside = f", {len(report.errors)} set aside with an error" if report.errors else ""
    click.echo(f"{len(report.sent)} sent, {len(report.failed)} failed, {len(report.cancelled)} cancelled, "
               f"{len(report.no_recipient)} with no one to text{set_aside}.")


def _warn_if_a_worker_is_running():
    """A worker sweeping at the real time will send, as of today, the steps a replay is about
    to step through one instant at a time: say so rather than let the two interleave."""
    real_now = current_app.config["CLOCK"]()
    last = db.session.scalar(select(func.max(WorkerHeartbeat.last_sweep_at))
                             .where(WorkerHeartbeat.last_sweep_at <= real_now))
    if last is not None and real_now - last < timedelta(minutes=2):
        click.echo(f"warning: a worker swept at {last:%H:%M:%S} UTC; while it runs it sends what is due now. "
                   "Replay with the workers stopped (SCHEDULER_ENABLED=0 for `make run`).", err=True)


@alerts.command("worker")
def worker_command():
    """Sweep at each deadline, at least every SWEEP_SECONDS, until stopped. Several may run
    against PostgreSQL."""
    app = current_app._get_current_object()
    click.echo(f"Sweeping at each deadline and at least every {app.config['SWEEP_SECONDS']}s "
               f"with the {app.config['SMS_BACKEND']} sender.")
    scheduler.build(app, BlockingScheduler).start()


@alerts.command("replan")
def replan_command():
    """Plan the steps of every child in custody again (after a change to the policy file)."""
    policy = current_app.extensions["alerts"].policy
    detentions = db.session.scalars(select(Detention).where(Detention.status == "in_custody")).all()
    for detention in detentions:
        planning.plan_steps(db.session, detention, policy)
    db.session.commit()
    click.echo(f"Planned steps for {len(detentions)} child(ren) in custody.")
