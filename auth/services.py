"""Creating users and tokens: plain functions the CLI and the admin pages both call."""
from sqlalchemy import select

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


def user_for_token(session, plain, now):
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or not token.user.active:
        return None
    token.last_used_at = now
    return token.user
