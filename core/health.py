"""GET /healthz: is the database answering, and is the alert worker sweeping? No personal data."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from auth.access import public
from core.db import db

bp = Blueprint("health", __name__)

# Other areas (the alert worker) add their state here: provider(session, now) -> dict.
health_sections = []


@bp.route("/healthz")
@public
def healthz():
    body = {"status": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        body["database"] = "ok"
    except Exception:  # noqa: BLE001 - a health check reports failure, it does not raise it
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    now = current_app.config["CLOCK"]()
    for provider in health_sections:
        body.update(provider(db.session, now))
    return jsonify(body)
