"""Custody suites: seeded from configuration, then kept by an admin."""
import tomllib
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from core.errors import Conflict, invalid
from custody import audit
from custody.models import Suite


def read_suites_file(path):
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("suite", [])
    if not entries:
        raise ValueError(f"{path} lists no [[suite]]")
    return entries


def check_timezone(name):
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid("timezone", f"{name!r} is not a time zone; use an IANA name such as Europe/London.") from None


def seed(session, entries):
    """Add the suites that are not there yet; never change one an admin has edited."""
    added = []
    for entry in entries:
        code = entry["code"].upper()
        if session.scalar(select(Suite).where(Suite.code == code)) is None:
            check_timezone(entry.get("timezone", "Europe/London"))
            suite = Suite(code=code, name=entry["name"], timezone=entry.get("timezone", "Europe/London"))
            session.add(suite)
            added.append(suite)
    return added


AUDITED = ("code", "name", "timezone", "active")


def create(session, data, user, now):
    """A new suite, with its audit event (SPEC §3.9: every create and change)."""
    code = data["code"].upper()
    if session.scalar(select(Suite).where(Suite.code == code)):
        raise Conflict(f"A suite with code {code} exists.", {"code": ["already used"]})
    check_timezone(data.get("timezone") or "Europe/London")
    suite = Suite(code=code, name=data["name"], timezone=data.get("timezone") or "Europe/London",
                  active=data.get("active", True))
    session.add(suite)
    session.flush()
    audit.record(session, user=user, now=now, entity="suite", entity_id=suite.id, action="created",
                 after=audit.snapshot(suite, AUDITED))
    return suite


def update(session, suite, data, user, now):
    """Rename, move time zone or retire; an audit event with the values before and after."""
    if "timezone" in data:
        check_timezone(data["timezone"])
    before = audit.snapshot(suite, AUDITED)
    for field in ("name", "timezone", "active"):
        if field in data:
            setattr(suite, field, data[field])
    audit.record_amendment(session, user=user, now=now, entity="suite", entity_id=suite.id,
                           before=before, after=audit.snapshot(suite, AUDITED))
    return suite
