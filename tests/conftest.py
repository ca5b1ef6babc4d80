"""Fixtures: a fresh app per test on the database under test, personas, an injected clock.

The schema is built once per run by the real migrations (so the tests exercise them), and
every table is emptied after each test. Emptying rather than rolling back keeps tests honest
where more than one connection is involved: the browser's live server, several workers.

TEST_DATABASE_URL picks the database: SQLite in a temporary folder by default, PostgreSQL
when it is a postgresql+psycopg:// URL (CI runs the whole suite on both).
"""
import contextvars
import os
from datetime import datetime, timedelta, timezone

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

import config
from app import create_app
from auth import services as users
from core.db import db
from custody import suites

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)

PERSONAS = {
    "sergeant": ("sgt_price", "Sergeant Price"),
    "inspector": ("insp_khan", "Inspector Khan"),
    "manager": ("mgr_lee", "Manager Lee"),
    "admin": ("admin_ops", "Admin Ops"),
}
PASSWORD = "correct horse battery staple"


class FakeClock:
    """The app's clock, set and moved by tests instead of patching datetime."""

    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now

    def set(self, now):
        self.now = now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory):
    return str(tmp_path_factory.mktemp("instance"))


class IsolatedClient(FlaskClient):
    """Each request in a context of its own, as in production: the test's app context (and its
    `g` and database session) must not leak into requests, nor one request's into the next."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(database_url, instance_path, clock, **overrides):
    settings = config.for_tests(database_url, instance_path, CLOCK=clock, **overrides)
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def migrated(database_url, instance_path):
    """Build the schema once with the real migrations, from an empty database."""
    app = make_app(database_url, instance_path, FakeClock())
    with app.app_context():
        _drop_everything()
        upgrade()
        db.engine.dispose()
    return True


def _drop_everything():
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.engine.dispose()
        path = db.engine.url.database
        if path and os.path.exists(path):
            os.remove(path)


def _empty_tables():
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(connection) else None


def _has_sqlite_sequence(connection):
    return connection.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture(scope="session")
def password_hash():
    """Argon2 is slow on purpose; hash the personas' password once per run, not per test."""
    from auth.models import User
    user = User()
    user.set_password(PASSWORD)
    return user.password_hash


@pytest.fixture
def app(migrated, database_url, instance_path, clock, password_hash):
    app = make_app(database_url, instance_path, clock)
    with app.app_context():
        suites.seed(db.session, suites.read_suites_file(app.config["SUITES_FILE"]))
        for role, (username, name) in PERSONAS.items():
            users.create_user(db.session, username, role, clock(), display_name=name).password_hash = password_hash
        db.session.commit()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class ApiClient:
    """JSON requests with a bearer token for one persona."""

    def __init__(self, client, token):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method, url, json=None, **kwargs):
        return self.client.open(url, method=method, json=json, headers=self.headers, **kwargs)

    def get(self, url, **kwargs):
        return self._call("GET", url, **kwargs)

    def post(self, url, json=None, **kwargs):
        return self._call("POST", url, json=json if json is not None else {}, **kwargs)

    def patch(self, url, json=None, **kwargs):
        return self._call("PATCH", url, json=json, **kwargs)

    def delete(self, url, **kwargs):
        return self._call("DELETE", url, **kwargs)


@pytest.fixture
def api_as(app, client, clock):
    """api_as("sergeant").post(...): the API as one of the personas."""
    from sqlalchemy import select

    from auth.models import User
    tokens = {}

    def as_role(role):
        if role not in tokens:
            user = db.session.scalar(select(User).where(User.username == PERSONAS[role][0]))
            tokens[role] = users.issue_token(db.session, user, clock())
            db.session.commit()
        return ApiClient(client, tokens[role])
    return as_role


@pytest.fixture
def api(api_as):
    """The API as the custody sergeant, who does most of the recording."""
    return api_as("sergeant")


@pytest.fixture
def login(client):
    """login("manager"): sign the test client in through the real login form."""
    def sign_in(role):
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"username": PERSONAS[role][0], "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return sign_in


def csrf_token_from(html):
    import re
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return match.group(1)


def booking(**overrides):
    """A valid booking for a 17-year-old at Durham who arrived two hours before T0."""
    body = {"suite": "DUR", "forename": "Jordan", "surname": "Ellis", "date_of_birth": "2009-03-14",
            "arrived_at": "2026-11-28T10:00:00Z", "offence": "Theft", "arresting_officer": "PC 1234 Hart",
            "custody_record_number": "DU-26-000123"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def live_server(app):
    """The test app served over real HTTP on 127.0.0.1 (a free port), for a real browser.

    werkzeug's server in a thread of this process: it shares the app, its injected clock and
    the database (SQLite is a file here, so the server's threads see what the test wrote).
    Yields the base URL, e.g. http://127.0.0.1:54321.
    """
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (its own browser download is not used)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.fixture
def sign_in_browser(page, live_server):
    """sign_in_browser("sergeant"): the browser, signed in through the login page."""
    def sign_in(role):
        page.goto(f"{live_server}/login")
        page.get_by_label("Username").fill(PERSONAS[role][0])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server}/")
        return page
    return sign_in

