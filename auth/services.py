"""Creating users and tokens: plain functions the CLI and the admin pages both call."""
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from auth.models import ROLES, ApiToken, User, hash_token
from core.errors import Conflict, invalid
from custody import audit

AUDITED = ("username", "role", "display_name", "active")  # never the password hash


def create_user(session, username, role, now, password=None, display_name=None, by=None):
    """A new user; `by` is the admin who added them (None from the command line)."""
    if role not in ROLES:
        raise invalid("role", f"role must be one of {', '.join(ROLES)}")
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"a user called {username} already exists", {"username": ["already taken"]})
    user = User(username=username, role=role, display_name=display_name or username, created_at=now)
    if password:
        user.set_password(password)
    session.add(user)
    session.flush()
    audit.record(session, user=by, now=now, entity="user", entity_id=user.id, action="created",
                 after=audit.snapshot(user, AUDITED))
    return user


def set_active(session, user, active, by, now):
    """Allow or stop a user signing in; recorded with who did it."""
    if user.active != active:
        audit.record(session, user=by, now=now, entity="user", entity_id=user.id, action="amended",
                     before={"active": user.active}, after={"active": active})
        user.active = active


def issue_token(session, user, now):
    token, plain = ApiToken.issue(user, now)
    session.add(token)
    return plain


# `last_used_at` says whether a token is still in use (to spot one to revoke), not when each
# request came: recording it at most once a minute spares every API call a write and a commit.
TOKEN_USE_RECORDED_EVERY = timedelta(minutes=1)


def token_for(session, plain):
    """The active token with this plain value, its user loaded with it; None otherwise."""
    token = session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                           .where(ApiToken.token_hash == hash_token(plain)))
    return token if token is not None and token.user.active else None


def note_token_use(token, now):
    """Set `last_used_at` when the stored one is over a minute old (or unset, or ahead of `now`);
    True when it changed, so the caller knows there is something to commit."""
    last = token.last_used_at
    if last is not None and last <= now < last + TOKEN_USE_RECORDED_EVERY:
        return False
    token.last_used_at = now
    return True
