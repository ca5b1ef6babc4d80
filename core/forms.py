"""Web forms reuse the API's schemas and services: one set of rules for both.

A form posts strings; these helpers turn local date and time fields into the ISO instants the
schemas expect, and turn schema or service refusals back into per-field messages.
"""
from datetime import datetime, timezone

from marshmallow import ValidationError, fields

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


def load_form(schema, form, zone, now, missing=None):
    """A posted form, loaded through the API's own schema, with every refusal at once.

    Instants come from NAME_date and NAME_time, booleans from Yes/No radios ("yes", "no"),
    text is trimmed. Anything left empty is omitted, so the schema's defaults and "required"
    rules apply exactly as to an API request that leaves it out; `missing` gives the words a
    person needs for a required field left empty ("Enter the name of ...").
    """
    body, errors = {}, {}
    for name, field in schema.fields.items():
        try:
            value = _form_value(form, name, field, zone, now)
        except FormErrors as refused:
            errors.update(refused.errors)
            continue
        if value is not None:
            body[name] = value
    try:
        data = load(schema, body)
    except FormErrors as refused:
        errors = {**refused.errors, **errors}
    for name in errors.keys() & (missing or {}).keys():
        if name not in body:
            errors[name] = [missing[name]]
    if errors:
        order = list(schema.fields)  # the summary lists problems in the order of the form
        raise FormErrors(dict(sorted(errors.items(), key=lambda e: order.index(e[0]) if e[0] in order else 0)))
    return data


def _form_value(form, name, field, zone, now):
    if isinstance(field, fields.AwareDateTime):
        return local_instant(form, name, zone, now)
    raw = (form.get(name) or "").strip()
    if isinstance(field, fields.Boolean):
        return {"yes": True, "no": False}.get(raw)
    return raw or None
