"""How long the performance pack takes over whatever DATABASE_URL holds (e.g. after
`flask demo seed --detentions 500000`), and the process's peak memory.

    DATABASE_URL=... SECRET_KEY=... .venv/bin/python -m reports.measure [--runs 5] [--from D --to D]

Times, each the median of --runs after one warm-up: the pack as the API returns it (every
figure, by suite, the previous period and the exceptions, through the real HTTP stack as a
manager), the web page (the pack, its charts' queries and the template), and the XLSX export.
"""
import argparse
import re
import resource
import secrets
import statistics
import time
from datetime import date

from sqlalchemy import func, select

from app import create_app
from auth import services as users
from auth.models import User
from core.db import db
from custody.models import Detention

MANAGER = "pack_timer"


def _manager(now):
    """A manager to ask as: a token for the API, a password for the pages (a new one each run)."""
    user = db.session.scalar(select(User).where(User.username == MANAGER)) or users.create_user(
        db.session, MANAGER, "manager", now, None, "Pack timer")
    password = secrets.token_urlsafe(16)
    user.set_password(password)
    token = users.issue_token(db.session, user, now)
    db.session.commit()
    return token, password


def _sign_in(client, password):
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": MANAGER, "password": password, "csrf_token": csrf})
    assert response.status_code == 302, "could not sign in"


def _median_seconds(runs, call):
    call()  # warm-up: connections, caches, first compile of each statement
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = call()
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return statistics.median(timings), response


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--from", dest="first", type=date.fromisoformat)
    parser.add_argument("--to", dest="last", type=date.fromisoformat)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        now = app.config["CLOCK"]()
        token, password = _manager(now)
        headers = {"Authorization": f"Bearer {token}"}
        total = db.session.scalar(select(func.count()).select_from(Detention))
        db.session.remove()
    query = {"from": args.first.isoformat(), "to": args.last.isoformat()} if args.first else {}
    client = app.test_client()
    browser = app.test_client()
    _sign_in(browser, password)
    print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}: {total:,} detentions")
    api, response = _median_seconds(args.runs, lambda: client.get(
        "/api/v1/reports/performance", query_string=query, headers=headers))
    pack = response.json
    print(f"period {pack['from']}..{pack['to']}: {pack['children_detained']:,} children, "
          f"previous {pack['previous_period']['children_detained']:,}, {len(pack['exceptions']):,} exceptions")
    print(f"API pack   {api:6.3f} s")
    page, _ = _median_seconds(args.runs, lambda: browser.get("/reports/performance", query_string=query))
    print(f"web page   {page:6.3f} s (pack, charts over six months, template)")
    xlsx, _ = _median_seconds(args.runs, lambda: browser.get("/reports/performance.xlsx", query_string=query))
    print(f"XLSX       {xlsx:6.3f} s")
    print(f"peak RSS   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MB")


if __name__ == "__main__":
    main()
