"""The performance pack as a web page (the meeting pack, printable on A4) and as CSV and XLSX files."""
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, render_template, request
from marshmallow import EXCLUDE, ValidationError
from sqlalchemy import select

from auth.access import READ, allow
from core.db import db
from core.errors import DomainError, json_error
from core.web import nav_links
from custody.models import Suite
from reports import charts, exports, figures, pack
from reports.api import pack_for
from reports.period import Period
from reports.schemas import PerformanceQuery
from reports.sql import one_decimal

bp = Blueprint("reports", __name__, url_prefix="/reports")

nav_links.append(("reports.performance", "Performance", READ))


class QueryErrors(Exception):
    def __init__(self, errors):
        super().__init__("the period or suite asked for cannot be reported")
        self.errors = errors


def _query():
    try:
        return PerformanceQuery(unknown=EXCLUDE).load({k: v for k, v in request.args.items() if v.strip()})
    except ValidationError as refused:
        raise QueryErrors({field: list(messages) for field, messages in refused.messages.items()}) from None


def _pack():
    query = _query()
    try:
        return pack_for(query)
    except DomainError as refused:
        raise QueryErrors(refused.fields) from None


def _suites():
    return db.session.scalars(select(Suite).order_by(Suite.code)).all()


@bp.errorhandler(QueryErrors)
def _refused(refused):
    if request.endpoint == "reports.performance":
        return render_template("reports/performance.html", errors=refused.errors, values=request.args,
                               suites=_suites(), report=None), 422
    return json_error(422, "The period or suite asked for cannot be reported.", refused.errors)


@bp.route("/performance")
@allow(READ)
def performance():
    report = _pack()
    return render_template("reports/performance.html", report=report, errors={}, suites=_suites(),
                           values={"from": report["from"].isoformat(), "to": report["to"].isoformat(),
                                   "suite": report["suite"] or ""},
                           charts=_charts(report), figures=figures, export_query=_export_query(report))


def _export_query(report):
    query = {"from": report["from"].isoformat(), "to": report["to"].isoformat()}
    if report["suite"]:
        query["suite"] = report["suite"]
    return query


def _charts(report):
    config = current_app.config
    period = Period(report["from"], report["to"], ZoneInfo(config["DEFAULT_TIMEZONE"]))
    suite = pack.suite_named(db.session, report["suite"])
    bands = pack.aa_wait_bands(db.session, period, suite)
    trend = pack.aa_wait_by_fortnight(db.session, period, suite)
    by_suite = report["by_suite"]
    codes = list(by_suite)
    target = report["aa_target_minutes"]
    return [
        charts.bar_chart(
            "chart-aa-wait", "Minutes from arrival to the AA's arrival", [label for label, _ in bands],
            [charts.Series("Children", [count for _, count in bands])], whole=True,
            summary="Children by how long they waited for an appropriate adult."),
        charts.bar_chart(
            "chart-aa-trend", "Minutes to AA arrival by fortnight, last six months",
            [one.last.strftime("%d %b") for one, _ in trend],
            [charts.Series("Median", [one_decimal(waits.median) for _, waits in trend]),
             charts.Series("90th percentile", [one_decimal(waits.p90) for _, waits in trend], charts.ORANGE)],
            unit=" min", reference=(target, f"Target {target} min"),
            summary="Each fortnight is named by its last day."),
        charts.bar_chart(
            "chart-suites", "Suites side by side (percent)",
            ["AA within target", "Reviews in person", "Needs referred", "Held overnight"],
            [charts.Series(code, [by_suite[code][key] for key in (
                "aa_within_target_pct", "reviews_in_person_pct", "needs_flagged_referred_pct", "overnight_pct")],
                charts.SERIES_COLOURS[i % len(charts.SERIES_COLOURS)]) for i, code in enumerate(codes)],
            unit="%"),
        charts.bar_chart(
            "chart-review-modes", "Reviews by mode", ["In person", "Video", "Telephone"],
            [charts.Series("Reviews", [report["reviews_by_mode"][mode] for mode in (
                "in_person", "video", "telephone")], charts.PURPLE)], whole=True),
        charts.bar_chart(
            "chart-transfers", "Transfers against bail refusals", [*codes, "All suites"],
            [charts.Series("Refused bail", [by_suite[c]["charged_bail_refused"] for c in codes]
                           + [report["charged_bail_refused"]], charts.GREY),
             charts.Series("Transferred", [by_suite[c]["transferred"] for c in codes] + [report["transferred"]],
                           charts.GREEN)], whole=True),
    ]


def _file_response(body, mimetype, extension, report):
    name = f"performance-{report['from']}-to-{report['to']}{'-' + report['suite'] if report['suite'] else ''}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


@bp.route("/performance.csv")
@allow(READ)
def performance_csv():
    report = _pack()
    return _file_response(exports.as_csv(report), "text/csv; charset=utf-8", "csv", report)


@bp.route("/performance.xlsx")
@allow(READ)
def performance_xlsx():
    report = _pack()
    return _file_response(exports.as_xlsx(report),
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", report)
