"""Walks the whole URL map: a route added without an access rule fails here.

Anonymous users are refused everywhere except the login page, /healthz, static files, the
OpenAPI document's neighbours that are public by design, and the signature-checked Twilio
webhooks. Managers read everything and write nothing.
"""
import re
import tempfile

import pytest

from auth.access import PUBLIC, WRITE_METHODS, rule_for
from tests.conftest import FakeClock, make_app

PUBLIC_ENDPOINTS = {"static", "health.healthz", "auth.login"}
PUBLIC_PREFIXES = ("webhooks.",)


def _routes():
    app = make_app("sqlite:///:memory:", tempfile.mkdtemp(), FakeClock())
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield app, rule, method


def _url(rule):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if "id" in m.group(1) else "x", rule.rule)


ROUTES = [(rule.rule, rule.endpoint, method) for _, rule, method in _routes()]


def test_the_map_is_walked():
    # This test must see the real app's routes, not an empty map.
    assert {"custody_api.Detentions", "custody.record", "auth.login"} <= {endpoint for _, endpoint, _ in ROUTES}


@pytest.mark.parametrize("path,endpoint,method", ROUTES)
def test_every_route_declares_a_rule(app, path, endpoint, method):
    assert rule_for(app, endpoint, method) is not None, f"{method} {path} has no @allow/@public rule"


@pytest.mark.parametrize("path,endpoint,method", ROUTES)
def test_anonymous_is_refused_except_public_routes(app, client, path, endpoint, method):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == path)
    response = client.open(_url(rule), method=method)
    if _is_public(endpoint):
        assert rule_for(app, endpoint, method) == PUBLIC
        return
    assert rule_for(app, endpoint, method) != PUBLIC, f"{endpoint} is public but not on the public list"
    assert response.status_code in (401, 302), f"{method} {path} answered {response.status_code} to anonymous"
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


def _is_public(endpoint):
    return endpoint in PUBLIC_ENDPOINTS or endpoint.startswith(PUBLIC_PREFIXES)


# Signing out is the one write everybody may do.
MANAGER_WRITES = [r for r in ROUTES if r[2] in WRITE_METHODS and not _is_public(r[1]) and r[1] != "auth.logout"]


@pytest.mark.parametrize("path,endpoint,method", MANAGER_WRITES)
def test_a_manager_cannot_write(app, api_as, path, endpoint, method):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == path)
    response = api_as("manager")._call(method, _url(rule), json={})
    assert response.status_code == 403, f"a manager got {response.status_code} from {method} {path}"


def test_a_manager_reads_the_record(api, api_as):
    from tests.conftest import booking
    created = api.post("/api/v1/detentions", json=booking()).json
    assert api_as("manager").get(f"/api/v1/detentions/{created['id']}").status_code == 200
