"""Production session cookies, security headers on every page, and no inline code for the CSP to
forbid: neither in the templates nor in what the pages render (GOV.UK macros included)."""
import re
from pathlib import Path

import pytest

import config
from app import create_app
from core.db import db
from tests.conftest import PASSWORD, csrf_token_from
from tests.proof.pages import role_for, url_for_rule, web_routes

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PAGES = web_routes("GET")

INLINE_CODE = {
    "an inline <script> body": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>|<script\b[^>]*>\s*[^<\s]", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "a style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "an on*= event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "an hx-on handler": re.compile(r"\s(?:data-)?hx-on", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def inline_code_in(html):
    return [what for what, pattern in INLINE_CODE.items() if pattern.search(html)]


def test_the_scan_sees_each_kind_of_inline_code():
    for sample in ('<script>alert(1)</script>', '<script type="module">x()</script>', '<p style="color:red">',
                   '<style>p{}</style>', '<a onclick="x()">', '<button hx-on:click="x()">',
                   '<a href="javascript:x()">'):
        assert inline_code_in(sample), sample
    assert inline_code_in('<script src="/static/js/app.js" type="module"></script><form action="/x">') == []


@pytest.mark.parametrize("template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")))
def test_no_template_carries_inline_code(template):
    assert inline_code_in((TEMPLATES / template).read_text()) == []


def test_the_pages_are_walked():
    assert {"auth.login", "custody.board", "custody.book", "custody.record", "admin.users"} <= \
        {endpoint for _, endpoint in PAGES}


@pytest.mark.parametrize("rule,endpoint", PAGES)
def test_every_page_forbids_inline_code_and_framing(app, child_with_every_event, login, rule, endpoint):
    client = login(role_for(app, endpoint, "GET"))
    response = client.get(url_for_rule(rule, child_with_every_event))
    assert response.status_code in (200, 302), (rule, response.status_code)
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'" and csp["object-src"] == "'none'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'" and response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    if response.status_code == 200 and response.mimetype == "text/html":
        assert inline_code_in(response.get_data(as_text=True)) == []


@pytest.fixture
def production_app(migrated, database_url, instance_path, clock, app):
    """The app as production builds it from the environment (PRODUCTION=1), on the test database."""
    settings = config.from_environment({"DATABASE_URL": database_url, "SECRET_KEY": "p" * 40, "PRODUCTION": "1",
                                        "SCHEDULER_ENABLED": "0", "RATELIMIT_ENABLED": "0"}, instance_path)
    settings["CLOCK"] = clock
    production = create_app(settings)
    yield production
    with production.app_context():
        db.engine.dispose()  # its pooled connections are closed here, not by the garbage collector


def test_production_session_cookies_are_secure_httponly_and_samesite(production_app):
    client = production_app.test_client()
    login_page = client.get("/login", base_url="https://custody.example")
    # Over HTTPS, Flask-WTF also wants a same-origin Referer.
    token = csrf_token_from(login_page.get_data(as_text=True))
    response = client.post("/login", base_url="https://custody.example",
                           headers={"Referer": "https://custody.example/login"},
                           data={"username": "sgt_price", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    attributes = {part.strip().split("=")[0].lower() for part in session.split(";")}
    assert {"secure", "httponly", "samesite"} <= attributes
    assert "SameSite=Lax" in session
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_outside_production_the_cookie_is_still_httponly_and_samesite(client):
    client.get("/login")
    response = client.post("/login", data={"username": "sgt_price", "password": PASSWORD,
                                            "csrf_token": csrf_token_from(client.get("/login").get_data(as_text=True))})
    session = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Secure" not in session
