"""Creating users and tokens: plain functions the CLI and the admin pages both call."""
from sqlalchemy import select

from auth.models import ROLES, ApiToken, User, hash_token
from core.errors import Conflict, invalid


def create_user(session, username, role, now, password=None, display_name=None):
    if role not in ROLES:
        raise invalid("role", f"role must be one of {', '.join(ROLES)}")
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"a user called {username} already exists", {"username": ["already taken"]})
    user = User(username=username, role=role, display_name=display_name or username, created_at=now)
    if password:
        user.set_password(password)
    session.add(user)
    return user


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
