"""The system watches itself (SPEC §4.2): /healthz says when the last sweep completed, and
every page warns when none has for 2 minutes, because no worker means no texts."""
from datetime import timedelta

from flask import current_app

from alerts import scheduler
from alerts.sweep import last_sweep_at
from core.clock import iso_utc
from core.health import health_sections
from core.web import page_banners

SWEEP_OVERDUE_AFTER = timedelta(minutes=2)
NO_SWEEP_BANNER = ("No sweep has completed in the last 2 minutes: escalation texts are not being sent. "
                   "Check that the alert worker (flask alerts worker) is running.")


def sweep_overdue(last, now):
    return last is None or now - last > SWEEP_OVERDUE_AFTER


def health(session, now):
    last = last_sweep_at(session)
    return {"sweep": {"last_completed_at": iso_utc(last), "overdue": sweep_overdue(last, now)},
            "scheduler": scheduler.state(current_app)}


def banner(session, now):
    return [NO_SWEEP_BANNER] if sweep_overdue(last_sweep_at(session), now) else []


health_sections.append(health)
page_banners.append(banner)
