"""The app's web pages and forms, walked from the URL map (so new ones are covered as they land)."""
import re
import tempfile

from auth.access import PUBLIC, rule_for
from tests.conftest import FakeClock, make_app

# The role that signs in for a route: the first of these its rule allows.
ROLE_ORDER = ("sergeant", "inspector", "admin", "manager")


def _is_web(rule):
    return not rule.rule.startswith(("/api/", "/static/", "/webhooks/")) and rule.endpoint != "static"


def web_routes(method):
    """(rule, endpoint) of every web route answering `method`, from a throwaway app."""
    app = make_app("sqlite:///:memory:", tempfile.mkdtemp(), FakeClock())
    return sorted((rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
                  if method in rule.methods and _is_web(rule))


def role_for(app, endpoint, method):
    roles = rule_for(app, endpoint, method)
    if roles == PUBLIC:
        return "sergeant"
    return next(role for role in ROLE_ORDER if role in roles)


def url_for_rule(rule, ids):
    """The rule with each <converter:name> filled: ids[name] when known, else 1."""
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), rule)
