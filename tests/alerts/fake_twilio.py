"""A fake Twilio REST API on loopback, for the real `twilio` client (TWILIO_API_BASE_URL).

It records every Messages.json POST with its form fields, answers the message list GET (newest
first, a page at a time, as Twilio does), and fails on demand: 429, 500 (with or without having
queued the text), permanent refusals (21211, 21610), answers slower than the client's timeout
(after queuing the text), and refused connections (the port closed for a while). Given `faults`,
it also fails at random (seeded), the way the chaos run (tests/alerts/chaos.py) wants it.
"""
import base64
import json
import random
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "fake-auth-token-for-tests"
REFUSALS = {"21211": "The 'To' number is not a valid phone number.",
            "21610": "Attempt to send to unsubscribed recipient"}


class RandomFaults:
    """Fail a share of requests at random, from a seeded generator.

    `posts`: {failure kind (as for fail_next): probability} for each Messages.json POST;
    `lists`: the probability that a message list GET is answered 500.
    """

    def __init__(self, posts, lists=0.0, seed=0):
        if sum(posts.values()) > 1:
            raise ValueError("the failure probabilities add up to more than 1")
        self.posts, self.lists = dict(posts), lists
        self._random = random.Random(seed)

    def for_post(self):
        draw = self._random.random()
        for kind, probability in self.posts.items():
            if draw < probability:
                return kind
            draw -= probability
        return None

    def for_list(self):
        return self._random.random() < self.lists


class FakeTwilio:
    def __init__(self, clock, slow_seconds=1.5, delay_seconds=0.0, faults=None):
        self.clock = clock            # stamps date_created, as the provider's own clock would
        self.slow_seconds = slow_seconds
        self.delay_seconds = delay_seconds  # every answer takes this long, as over a real network
        self.faults = faults          # a RandomFaults, or None: fail only as told by fail_next
        self.created = []             # every message the provider queued: the form fields + sid
        self.posts = []               # every Messages.json POST, whatever was answered
        self.answers = Counter()      # how each POST was answered: "201", "429", "500-queued"...
        self.list_requests = []
        self.list_failures = 0
        self._failures = []
        self._list_failures = 0
        self._answering = {}          # the POSTs being handled now: when each came in
        self._lock = threading.Lock()
        self._server = None
        self.port = None
        self._start()

    # -- control -------------------------------------------------------------------------
    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, *kinds):
        """Answer the next POSTs with these, in order: "429", "500", "500-queued", "21211",
        "21610", "slow" (queued, then answered after the client gave up)."""
        with self._lock:
            self._failures.extend(kinds)

    def fail_next_lists(self, count=1):
        """Answer the next `count` message-list GETs with 500."""
        with self._lock:
            self._list_failures += count

    @contextmanager
    def refusing(self):
        """Nothing listens on the port: connections are refused."""
        self.stop()
        try:
            yield
        finally:
            self._start(self.port)

    def posts_in_flight(self, younger_than):
        """How many POSTs came in less than `younger_than` seconds ago and are not answered yet:
        the worker that made each is waiting for the answer, its attempt already on record."""
        horizon = time.monotonic() - younger_than
        with self._lock:
            return sum(1 for began in self._answering.values() if began > horizon)

    def texts(self):
        return [(m["To"], m["Body"]) for m in self.created]

    # -- server --------------------------------------------------------------------------
    def _start(self, port=0):
        self._server = _Server(("127.0.0.1", port), _handler_for(self))
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def _next_failure(self):
        with self._lock:
            if self._failures:
                return self._failures.pop(0)
            return self.faults.for_post() if self.faults else None

    def _list_fails(self):
        with self._lock:
            failing = self._list_failures > 0 or bool(self.faults and self.faults.for_list())
            self._list_failures = max(0, self._list_failures - 1)
            self.list_failures += failing
            return failing

    def _queue(self, form):
        now = self.clock()
        message = {**form, "sid": "SM" + uuid.uuid4().hex, "status": "queued",
                   "date_created": format_datetime(now, usegmt=True)}
        with self._lock:
            self.created.append(message)
        return message


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up on a slow answer closed its socket: expected here


def _resource(message):
    return {"sid": message["sid"], "account_sid": ACCOUNT_SID, "to": message["To"],
            "from": message.get("From"), "messaging_service_sid": message.get("MessagingServiceSid"),
            "body": message["Body"], "status": message["status"], "date_created": message["date_created"],
            "date_updated": message["date_created"], "date_sent": None, "num_segments": "1",
            "direction": "outbound-api", "error_code": None, "error_message": None,
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message['sid']}.json"}


def _handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _authorised(self):
            expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            return self.headers.get("Authorization") == f"Basic {expected}"

        def _answer(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            token = object()
            with fake._lock:
                fake._answering[token] = time.monotonic()
            try:
                return self._post()
            finally:
                with fake._lock:
                    del fake._answering[token]

        def _post(self):
            time.sleep(fake.delay_seconds)
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            with fake._lock:
                fake.posts.append(form)
            if not self._authorised():
                return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            failure = fake._next_failure()
            with fake._lock:
                fake.answers[failure or "201"] += 1
            if failure == "429":
                return self._answer(429, {"code": 20429, "message": "Too Many Requests", "status": 429})
            if failure in REFUSALS:
                return self._answer(400, {"code": int(failure), "message": REFUSALS[failure], "status": 400})
            if failure in ("500", "500-queued"):
                if failure == "500-queued":
                    fake._queue(form)
                return self._answer(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
            message = fake._queue(form)
            if failure == "slow":
                time.sleep(fake.slow_seconds)
            return self._answer(201, _resource(message))

        def do_GET(self):
            url = urlparse(self.path)
            if not url.path.endswith("/Messages.json"):
                return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            with fake._lock:
                fake.list_requests.append(query)
            if fake._list_fails():
                return self._answer(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
            with fake._lock:
                found = [m for m in reversed(fake.created) if m["To"] == query.get("To", m["To"])]
            return self._answer(200, _page(url.path, query, found))
    return Handler


def _page(path, query, found):
    """One page of the list, newest first. Like Twilio's, the next page's token names the last
    message on this one, so texts queued meanwhile do not shift what the next page holds."""
    page_size, page = int(query.get("PageSize", 50)), int(query.get("Page", 0))
    after = query.get("PageToken")
    start = next((i + 1 for i, m in enumerate(found) if m["sid"] == after), 0) if after else 0
    messages = found[start:start + page_size]
    next_page_uri = None
    if start + page_size < len(found):
        following = {**query, "Page": page + 1, "PageToken": messages[-1]["sid"]}
        next_page_uri = f"{path}?{urlencode(following)}"
    return {"messages": [_resource(m) for m in messages], "start": start, "end": start + len(messages) - 1,
            "page": page, "page_size": page_size, "first_page_uri": path, "previous_page_uri": None,
            "next_page_uri": next_page_uri, "uri": path}
