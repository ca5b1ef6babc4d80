"""Web forms reuse the API's schemas and services: one set of rules for both.

A form posts strings; these helpers turn local date and time fields into the ISO instants the
schemas expect, and turn schema or service refusals back into per-field messages.
"""
from datetime import datetime, timezone

from marshmallow import ValidationError

from core.errors import DomainError


class FormErrors(Exception):
    def __init__(self, errors, status=422):
        super().__init__("form has errors")
        self.errors = errors
        self.status = status


def local_instant(form, name, zone, now):
    """Fields NAME_date (DD/MM/YYYY) and NAME_time (HH:MM) as an ISO instant in UTC.

    Empty date and time mean "now". A wall-clock time that does not exist (the hour the
    clocks skip in March) is refused rather than guessed; an ambiguous one (the hour repeated
    in October) is taken as the first, BST, occurrence.
    """
    day = (form.get(f"{name}_date") or "").strip()
    clock = (form.get(f"{name}_time") or "").strip()
    if not day and not clock:
        return None
    try:
        naive = datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M")
    except ValueError:
        raise FormErrors({name: ["Enter the date as DD/MM/YYYY and the time as HH:MM (24-hour clock)."]}) from None
    instant = naive.replace(tzinfo=zone)
    if instant.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != naive:
        raise FormErrors({name: ["That time did not happen here: the clocks went forward. Check the time."]})
    return instant.astimezone(timezone.utc).isoformat()


def defaults_for(name, now, zone):
    """Pre-filled date and time fields: now, in the suite's local time."""
    here = now.astimezone(zone)
    return {f"{name}_date": here.strftime("%d/%m/%Y"), f"{name}_time": here.strftime("%H:%M")}


def load(schema, payload):
    try:
        return schema.load(payload)
    except ValidationError as error:
        raise FormErrors({k: v if isinstance(v, list) else [str(v)] for k, v in error.messages.items()}) from None


def submit(action):
    """Run a service call, turning a refusal into form errors."""
    try:
        return action()
    except DomainError as error:
        from core.db import db
        db.session.rollback()
        raise FormErrors(error.fields or {"_": [error.message]}, error.status) from None


def checkbox(form, name):
    return form.get(name) in ("on", "yes", "true", "1")
