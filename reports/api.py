"""GET /api/v1/reports/performance: the fortnightly pack as JSON (SPEC §6)."""
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from auth.access import READ, allow
from core.db import db
from reports import pack, schemas

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports", description="Performance pack")


def pack_for(query):
    """Parse → service: the same call for the API, the page and the exports."""
    config = current_app.config
    now = config["CLOCK"]()
    suite = pack.suite_named(db.session, query["suite"])
    period = pack.requested_period(query["from_"], query["to"], now, ZoneInfo(config["DEFAULT_TIMEZONE"]))
    return pack.performance_pack(db.session, period, now, config["AA_TARGET_MINUTES"], suite)


@bp.route("/performance")
class Performance(MethodView):
    @allow(READ)
    @bp.arguments(schemas.PerformanceQuery, location="query")
    @bp.response(200, schemas.PerformancePack)
    def get(self, query):
        """The performance pack for local days `from`..`to` (Europe/London), optionally one suite"""
        return pack_for(query)
