"""Who may do what. Every view declares its rule; a view without one is refused to everyone.

Deny by default means a new route that forgets its rule fails closed (and fails the test
that walks the whole URL map), instead of quietly serving children's records.
"""
from urllib.parse import urlsplit

from flask import current_app, redirect, request, url_for
from flask_login import current_user

from core.errors import json_error, wants_json

READ = frozenset({"sergeant", "inspector", "manager", "admin"})
RECORD = frozenset({"sergeant", "inspector"})      # custody events (SPEC §2)
REVIEW = frozenset({"inspector"})                  # PACE reviews, certificate approval
ADMIN = frozenset({"admin"})
PUBLIC = "public"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_RULE = "_allowed_roles"


def allow(roles):
    """Declare which roles may call a view (READ, RECORD, REVIEW, ADMIN or PUBLIC)."""
    def mark(view):
        setattr(view, _RULE, roles)
        return view
    return mark


def public(view):
    return allow(PUBLIC)(view)


def rule_for(app, endpoint, method):
    """The rule declared for an endpoint and method, or None when nothing was declared."""
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return getattr(handler, _RULE, None) if handler else getattr(view_class, _RULE, None)
    return getattr(view, _RULE, None)


def _refuse(status, message):
    if wants_json():
        return json_error(status, message)
    if status == 401 and request.headers.get("HX-Request"):
        # A self-refreshing board whose session ran out: send the whole page to sign-in,
        # rather than let htmx paste the login form into the board.
        return "", 401, {"HX-Redirect": url_for("auth.login", next=request.referrer and urlsplit(
            request.referrer).path or "/")}
    if status == 401:
        return redirect(url_for("auth.login", next=request.full_path))
    from flask import render_template
    return render_template("error.html", status=status, title="Not allowed", message=message), status


def enforce():
    """before_request: apply the declared rule for this endpoint."""
    if request.endpoint is None or request.method == "OPTIONS":
        return None  # 404/405 are answered by Flask itself
    roles = rule_for(current_app, request.endpoint, request.method)
    if roles == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return _refuse(401, "Sign in to continue.")
    if roles is None:
        current_app.logger.error("route %s has no access rule; refused", request.endpoint)
        return _refuse(403, "This page has no access rule, so it is refused to everyone.")
    if current_user.role not in roles:
        return _refuse(403, f"A {current_user.role} may not do this.")
    return None
