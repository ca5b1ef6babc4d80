"""Web: booking POST and board GET under 20 concurrent clients, gunicorn with 4 workers.

The server is the production command (`gunicorn --workers 4 'app:create_app()'`, sync workers,
no scheduler inside) on the bench database. Phases run one after another on the same server:
`/healthz` (the ceiling: no login, one `SELECT 1`), the board with exactly 200 children in
custody, then bookings (each adds a child, so the board is measured first).
"""
import random
import re
from datetime import timedelta

import requests

from bench.children import BENCH_PASSWORD, book_children, booking_body, setup_suites_and_sergeant
from bench.core import Figure, benchmark
from bench.loadgen import run_load
from bench.processes import free_port, gunicorn_command, running
from bench.profiling import profile
from core.clock import utc_now

FULL = {"clients": 20, "workers": 4, "children": 200, "healthz": 4000, "board": 1500, "bookings": 2000,
        "alone": 100, "seconds": 30.0, "warmup": 40}
QUICK = {"clients": 2, "workers": 2, "children": 5, "healthz": 20, "board": 10, "bookings": 10,
         "alone": 5, "seconds": 10.0, "warmup": 4}
USER_AGENT = "custody-bench"  # the same for login and load: sessions are bound to the agent


@benchmark("web", targets=("booking p95", "board p95"),
           description="booking POST and board GET, 20 clients, gunicorn 4 workers")
def web(context):
    scale = QUICK if context.quick else FULL
    rng = random.Random(7)
    db = context.db
    namespace = context.namespace("web")
    db.recreate(namespace)
    app = db.app(namespace)
    now = utc_now()
    token = setup_suites_and_sergeant(app, now)
    arrivals = [now - timedelta(minutes=rng.randint(5, 20 * 60)) for _ in range(scale["children"])]
    book_children(app, arrivals, now, rng)
    context.log(f"web: {scale['children']} children in custody; starting gunicorn")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = db.environment(namespace)
    with running(gunicorn_command(port, scale["workers"]), env, context.results / "web-gunicorn.log",
                 ready_url=f"{base}/healthz"):
        cookie = _sign_in(base)
        _check_board_size(base, token, scale["children"])
        common = {"clients": scale["clients"], "seconds": scale["seconds"], "warmup": scale["warmup"],
                  "headers": {"User-Agent": USER_AGENT}}
        healthz = run_load("healthz", lambda i: ("GET", f"{base}/healthz", {}), requests=scale["healthz"], **common)
        board_page = ("GET", f"{base}/", {"headers": {"Cookie": cookie}})
        # One client first: the time a request takes when nobody queues in front of it.
        board_alone = run_load("board, 1 client", lambda i: board_page, **{**common, "clients": 1},
                               requests=scale["alone"])
        board = run_load("board", lambda i: board_page, requests=scale["board"], **common)
        if context.profile:  # while the board still holds exactly the children it was timed with
            _profile_in_process(context, app, token, rng)
        bodies = _booking_bodies(rng, 2 * scale["warmup"] + scale["alone"] + scale["bookings"])
        auth = {"Authorization": f"Bearer {token}"}

        def booking_request(offset):
            return lambda i: ("POST", f"{base}/api/v1/detentions", {"json": bodies[offset + i], "headers": auth})
        booked_alone = run_load("booking, 1 client", booking_request(0), expected=201,
                                **{**common, "clients": 1}, requests=scale["alone"])
        booked = run_load("booking", booking_request(scale["warmup"] + scale["alone"]), expected=201,
                          requests=scale["bookings"], **common)
    loads = (healthz, board_alone, board, booked_alone, booked)
    for result in loads:
        context.log(f"web: {result.label}: {result.answered} answered in {result.elapsed:.1f}s, "
                    f"statuses {dict(result.statuses)}" + (f", e.g. {result.unexpected[0]}" if result.unexpected else ""))
    return _figures(scale, *loads)


def _figures(scale, healthz, board_alone, board, booked_alone, booked):
    fraction = booked.rps / healthz.rps if healthz.rps else None
    load = f"{scale['clients']} clients, {scale['workers']} workers"
    busy = sum(r.client_cpu for r in (healthz, board, booked)) / sum(r.elapsed for r in (healthz, board, booked))
    return [
        Figure("healthz rps", healthz.rps, "req/s", note=f"{load}; {healthz.failures} failed"),
        Figure("healthz p95", healthz.ms(95), "ms", note="the floor for any route at this load"),
        Figure("board p50, 1 client", board_alone.ms(50), "ms", note=f"{scale['children']} in custody"),
        Figure("board p50", board.ms(50), "ms", note=load),
        Figure("board p95", board.ms(95), "ms", 150.0,
               note=f"{load}; {scale['children']} in custody; {board.failures} failed"),
        Figure("board rps", board.rps, "req/s"),
        Figure("booking p50, 1 client", booked_alone.ms(50), "ms"),
        Figure("booking p50", booked.ms(50), "ms", note=load),
        Figure("booking p95", booked.ms(95), "ms", 50.0, note=f"{load}; {booked.failures} failed"),
        Figure("booking rps", booked.rps, "req/s"),
        Figure("booking rps / healthz rps", fraction, "ratio", note="same server, same run"),
        Figure("load generator CPU", busy, "cores", note="of 2, taken from the server while it ran"),
    ]


def _profile_in_process(context, app, token, rng, requests_each=20):
    """The same two requests through the test client (no gunicorn, no load), under pyinstrument.
    Its bookings are released again, so the board keeps the children it is timed with."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "sgt_bench", "password": BENCH_PASSWORD, "csrf_token": csrf})
    client.get("/")
    profile(context, "web-board", lambda: [client.get("/") for _ in range(requests_each)], interval=0.0005)
    bodies = _booking_bodies(rng, requests_each)
    auth = {"Authorization": f"Bearer {token}"}
    answers = profile(context, "web-booking", lambda: [client.post("/api/v1/detentions", json=body, headers=auth)
                                                       for body in bodies], interval=0.0005)
    for answer in answers:
        client.post(f"/api/v1/detentions/{answer.json['id']}/release", json={"outcome": "no_further_action"},
                    headers=auth)


def _booking_bodies(rng, count):
    # Arrival a few minutes before the request: never "in the future" whenever it is sent.
    now = utc_now()
    return [booking_body(rng, now - timedelta(minutes=rng.randint(3, 60)), 1_000_000 + i) for i in range(count)]


def _sign_in(base):
    """Sign in through the login form once; every client then shares the session cookie."""
    browser = requests.Session()
    browser.headers["User-Agent"] = USER_AGENT
    page = browser.get(f"{base}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    response = browser.post(f"{base}/login", data={"username": "sgt_bench", "password": BENCH_PASSWORD,
                                                   "csrf_token": csrf.group(1)}, allow_redirects=False, timeout=30)
    if response.status_code != 302:
        raise RuntimeError(f"login failed with {response.status_code}")
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def _check_board_size(base, token, expected):
    response = requests.get(f"{base}/api/v1/detentions", params={"status": "in_custody"},
                            headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}, timeout=30)
    response.raise_for_status()
    if len(response.json()) != expected:
        raise RuntimeError(f"expected {expected} children in custody before the board phase, "
                           f"found {len(response.json())}")
