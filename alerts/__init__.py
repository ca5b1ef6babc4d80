"""Clocks, escalation and text messages (SPEC §4)."""
from dataclasses import dataclass

from alerts.policy import Policy, load


@dataclass(frozen=True)
class AlertsState:
    policy: Policy


def init_app(app):
    """Load the escalation policy (refusing to start on a bad file), hook the planner to
    custody's facts, and start the in-process scheduler when `flask run` serves."""
    from alerts import planning, record, scheduler, watch  # noqa: F401 - they register their hooks

    app.extensions["alerts"] = AlertsState(policy=load(app.config["ESCALATION_POLICY_FILE"]))
    scheduler.start_in_process(app)
