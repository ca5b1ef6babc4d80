"""Pack: SPEC §6 over the national dataset (500,000 detentions from `flask demo seed`).

The population is every detention in the database: the period runs from the first arrival's
local day to today. The pack is the real metrics function (`reports.pack.performance_pack`,
what the API and the page call); the yardstick is one hand-written PostgreSQL statement that
computes the same headline figures (bench/headline.sql), timed alternately with the pack in the
same run so that the machine's noise falls on both. The pack's web page and API are limited to
366 days, so the figures also show what users meet: a year and a fortnight from the same data.
"""
import statistics
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from bench import national
from bench.core import Figure, benchmark
from bench.memory import measure
from bench.profiling import profile

HEADLINE_SQL = (Path(__file__).resolve().parent / "headline.sql").read_text()
FULL = {"detentions": national.FULL_DETENTIONS, "repeats": 5}
QUICK = {"detentions": national.QUICK_DETENTIONS, "repeats": 2}
NAMESPACE = "national"


def whole_history(session, now):
    from custody.models import Detention
    from reports.period import Period
    zone = ZoneInfo("Europe/London")
    first = session.scalar(select(func.min(Detention.arrived_at)))
    return Period(first.astimezone(zone).date(), now.astimezone(zone).date(), zone)


def compute_pack(session, period, now, aa_target_minutes=120):
    from reports.pack import performance_pack
    try:
        return performance_pack(session, period, now, aa_target_minutes)
    finally:
        session.rollback()


def headline_sql(session, period, aa_target_minutes=120):
    try:
        return session.execute(text(HEADLINE_SQL), {"start": period.start, "end": period.end,
                                                     "target": aa_target_minutes}).mappings().one()
    finally:
        session.rollback()


def _repeats(scale, warm_seconds):
    """Fewer repeats when one pack takes long: the run stays bounded in time."""
    return scale["repeats"] if warm_seconds < 5 else min(scale["repeats"], 3)


def _timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def _profile(context, label, function, *args):
    if context.profile:
        profile(context, label, lambda: function(*args))


@benchmark("pack", targets=("pack, PostgreSQL", "pack / hand-written SQL", "pack, SQLite"),
           description="SPEC §6 over the national dataset, PostgreSQL and SQLite")
def pack(context):
    scale = QUICK if context.quick else FULL
    namespace = context.namespace(NAMESPACE)
    national.ensure_seeded(context.db, namespace, scale["detentions"], context)
    figures = _postgresql(context, scale, namespace)
    national.ensure_seeded(context.sqlite, namespace, scale["detentions"], context)
    figures += _sqlite(context, scale, namespace)
    return figures


def _postgresql(context, scale, namespace):
    from core.clock import utc_now
    from core.db import db
    app = context.db.app(namespace)
    with app.app_context():
        now = utc_now()
        period = whole_history(db.session, now)
        warm, _ = _timed(compute_pack, db.session, period, now)   # warm: caches, connection, imports
        headline_sql(db.session, period)
        pack_times, sql_times = [], []
        for _ in range(_repeats(scale, warm)):      # alternately, so noise falls on both
            seconds, result = _timed(compute_pack, db.session, period, now)
            pack_times.append(seconds)
            seconds, headline = _timed(headline_sql, db.session, period)
            sql_times.append(seconds)
        _profile(context, "pack-postgresql", compute_pack, db.session, period, now)
        agreement = _compare(result, headline)
        extra = _what_users_meet(context, db.session, now)
        db.engine.dispose()
    children = result["children_detained"]
    pack_s, sql_s = statistics.median(pack_times), statistics.median(sql_times)
    return [
        Figure("pack, PostgreSQL", pack_s, "s", 1.0,
               note=f"{children:,} detentions, {period.days:,} days, {len(result['exceptions']):,} exceptions; "
                    f"median of {len(pack_times)}"),
        Figure("hand-written SQL, PostgreSQL", sql_s, "s", note=f"headline figures; {agreement}"),
        Figure("pack / hand-written SQL", pack_s / sql_s, "ratio", 1.5, note="medians, alternated in one run"),
        *extra,
    ]


def _what_users_meet(context, session, now):
    """The pack as the API serves it (JSON), for a year (the longest it allows) and a fortnight."""
    from datetime import timedelta

    from reports.period import Period
    zone = ZoneInfo("Europe/London")
    today = now.astimezone(zone).date()
    figures = []
    for label, days in (("pack API, 366 days", 366), ("pack API, fortnight", 14)):
        period = Period(today - timedelta(days=days - 1), today, zone)
        seconds = _api_seconds(context, period)
        figures.append(Figure(label, seconds, "s", note="GET /api/v1/reports/performance, JSON included"))
    return figures


def _api_seconds(context, period):
    from flask import current_app

    from auth import services as users
    from auth.models import User
    from core.clock import utc_now
    from core.db import db
    user = db.session.scalar(select(User).where(User.username == "bench_manager")) or \
        users.create_user(db.session, "bench_manager", "manager", utc_now())
    token = users.issue_token(db.session, user, utc_now())
    db.session.commit()
    client = current_app.test_client()
    query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    client.get("/api/v1/reports/performance", query_string=query, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    response = client.get("/api/v1/reports/performance", query_string=query,
                          headers={"Authorization": f"Bearer {token}"})
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"pack API answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return seconds


def _compare(pack_result, headline):
    """Do the pack and the hand-written SQL agree on the headline figures? (A fair yardstick.)"""
    pairs = {
        "children_detained": (pack_result["children_detained"], headline["children_detained"]),
        "aa_arrival_median": (pack_result["minutes_to_aa_arrival"]["median"], headline["aa_arrival_median"]),
        "aa_arrival_p90": (pack_result["minutes_to_aa_arrival"]["p90"], headline["aa_arrival_p90"]),
        "released_without_aa": (pack_result["released_without_aa"], headline["released_without_aa"]),
        "reviews_total": (pack_result["reviews_total"], headline["reviews_total"]),
        "strip_searches": (pack_result["strip_searches"], headline["strip_searches"]),
        "hours_median": (pack_result["hours_in_custody"]["median"], headline["hours_median"]),
    }
    differ = [k for k, (a, b) in pairs.items() if a is not None and b is not None and abs(float(a) - float(b)) > 0.051]
    return "agrees with the pack" if not differ else f"differs from the pack on {', '.join(differ)}"


def _sqlite(context, scale, namespace):
    from core.clock import utc_now
    from core.db import db
    app = context.sqlite.app(namespace)
    with app.app_context():
        now = utc_now()
        period = whole_history(db.session, now)
        warm, _ = _timed(compute_pack, db.session, period, now)
        times = []
        for _ in range(_repeats(scale, warm)):
            seconds, result = _timed(compute_pack, db.session, period, now)
            times.append(seconds)
        _profile(context, "pack-sqlite", compute_pack, db.session, period, now)
        db.engine.dispose()
    return [Figure("pack, SQLite", statistics.median(times), "s", 3.0,
                   note=f"{result['children_detained']:,} detentions; median of {len(times)}")]


# -- Memory: the pack computed in a process of its own ------------------------------------

def pack_in_own_process_prepare(database_url, instance_path, namespace):
    """Everything but the pack: interpreter, app, a connection (the baseline)."""
    from bench.databases import Databases
    from core.clock import utc_now
    from core.db import db
    app = Databases(database_url, instance_path).app(namespace)
    context = app.app_context()
    context.push()
    db.session.execute(text("SELECT 1"))
    now = utc_now()
    return db.session, whole_history(db.session, now), now


def pack_in_own_process(state):
    session, period, now = state
    result = compute_pack(session, period, now)
    return {"children_detained": result["children_detained"], "exceptions": len(result["exceptions"])}


@benchmark("memory", targets=("peak RSS, pack",),
           description="peak RSS of the process computing the national pack")
def memory(context):
    scale = QUICK if context.quick else FULL
    namespace = context.namespace(NAMESPACE)
    national.ensure_seeded(context.db, namespace, scale["detentions"], context)
    measured = measure("bench.pack:pack_in_own_process", [context.db.base.render_as_string(hide_password=False),
                                                          str(context.results / "instance"), namespace])
    result = measured["result"]
    return [
        Figure("peak RSS, pack", measured["peak_mib"], "MiB", 300.0,
               note=f"{result['children_detained']:,} detentions, {result['exceptions']:,} exceptions, PostgreSQL"),
        Figure("RSS before the pack", measured["baseline_mib"], "MiB", note="interpreter, app, one connection"),
        Figure("pack time in that process", measured["seconds"], "s", note="cold: first pack of the process"),
    ]
