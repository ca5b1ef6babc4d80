"""How a request proves who it is: the login session (browser) or a bearer token (API)."""
from flask import current_app, g, request
from flask_login import AnonymousUserMixin

from auth.models import User
from auth.services import note_token_use, token_for
from core.db import db
from core.errors import json_error
from core.extensions import limiter, login_manager


class Anonymous(AnonymousUserMixin):
    role = None


def init_login(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id):
    if g.get("bearer_user") is not None:
        return None  # a request carrying a token acts as the token's user, never as a session's
    user = db.session.get(User, int(user_id))
    return user if user and user.active else None


@login_manager.request_loader
def load_user_from_request(_request):
    return g.get("bearer_user")


def _bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authenticate_bearer():
    """before_request: resolve `Authorization: Bearer`; a wrong token is a 401, never a fallback."""
    token = _bearer_token()
    if token is None:
        return None
    found = token_for(db.session, token)
    if found is None:
        limiter_hit = _count_token_failure()
        if limiter_hit:
            return json_error(429, "Too many failed token attempts; try again later.")
        return json_error(401, "The API token is not valid.")
    if note_token_use(found, current_app.config["CLOCK"]()):
        db.session.commit()  # at most once a minute: committed now, whatever the request does next
    g.bearer_user = found.user
    return None


def _count_token_failure():
    """Token guessing is slowed per client address (the token space is too large to matter,
    but failed attempts flooding the log would)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return False
    from limits import parse
    limit = parse("20/minute")
    return not limiter.limiter.hit(limit, "token-failure", request.remote_addr or "unknown")
