"""A fake Twilio REST API on loopback, for the real `twilio` client (TWILIO_API_BASE_URL).

It records every Messages.json POST with its form fields, answers the message list GET, and
fails on demand: 429, 500 (with or without having queued the text), permanent refusals
(21211, 21610), answers slower than the client's timeout (after queuing the text), and
refused connections (the port closed for a while).
"""
import base64
import json
import threading
import time
import uuid
from contextlib import contextmanager
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "fake-auth-token-for-tests"
REFUSALS = {"21211": "The 'To' number is not a valid phone number.",
            "21610": "Attempt to send to unsubscribed recipient"}


class FakeTwilio:
    def __init__(self, clock, slow_seconds=1.5, delay_seconds=0.0):
        self.clock = clock            # stamps date_created, as the provider's own clock would
        self.slow_seconds = slow_seconds
        self.delay_seconds = delay_seconds  # every answer takes this long, as over a real network
        self.created = []             # every message the provider queued: the form fields + sid
        self.posts = []               # every Messages.json POST, whatever was answered
        self.list_requests = []
        self._failures = []
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

    @contextmanager
    def refusing(self):
        """Nothing listens on the port: connections are refused."""
        self.stop()
        try:
            yield
        finally:
            self._start(self.port)

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
            return self._failures.pop(0) if self._failures else None

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
            time.sleep(fake.delay_seconds)
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            with fake._lock:
                fake.posts.append(form)
            if not self._authorised():
                return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            failure = fake._next_failure()
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
            fake.list_requests.append(query)
            with fake._lock:
                found = [m for m in reversed(fake.created) if m["To"] == query.get("To", m["To"])]
            page_size = int(query.get("PageSize", 50))
            return self._answer(200, {
                "messages": [_resource(m) for m in found[:page_size]], "start": 0, "end": len(found),
                "page": 0, "page_size": page_size, "first_page_uri": url.path, "previous_page_uri": None,
                "next_page_uri": None, "uri": self.path})
    return Handler
