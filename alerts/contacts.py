"""The people on each suite's escalation chain, and who of them is on duty at an instant."""
from datetime import time

import phonenumbers
from sqlalchemy import select

from alerts.models import CONTACT_ROLES, Contact
from core.clock import local
from core.errors import NotFound, invalid
from custody import audit
from custody.booking import suite_by_code

DRAMA_RANGE = ("+447700900000", "+447700900999")  # Ofcom: reserved for drama, never a real phone
AUDITED = ("suite_code", "role", "name", "phone", "window_start", "window_end", "active")


def normalise_phone(raw, field="phone"):
    """A mobile number in E.164 (+447700900123). UK numbers may be given as 07700 900123."""
    try:
        number = phonenumbers.parse(raw or "", "GB")
    except phonenumbers.NumberParseException:
        raise invalid(field, "Enter a phone number, e.g. 07700 900123 or +44 7700 900123.") from None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if DRAMA_RANGE[0] <= e164 <= DRAMA_RANGE[1] and len(e164) == len(DRAMA_RANGE[0]):
        return e164
    if not phonenumbers.is_valid_number(number):
        raise invalid(field, "This is not a valid phone number.")
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise invalid(field, "This is not a mobile number, so it cannot receive texts.")
    return e164


def parse_window_time(raw, field):
    """Local HH:MM (24-hour) or empty."""
    if raw in (None, ""):
        return None
    if isinstance(raw, time):
        return raw
    try:
        hours, minutes = raw.strip().split(":")
        if len(minutes) != 2:
            raise ValueError
        return time(int(hours), int(minutes))
    except ValueError:
        raise invalid(field, "Enter the time as HH:MM on the 24-hour clock, e.g. 08:00 or 20:00.") from None


def check_window(start, end):
    if (start is None) != (end is None):
        field = "window_end" if end is None else "window_start"
        raise invalid(field, "Give both the start and the end of the window, or neither (always on).")
    if start is not None and start == end:
        raise invalid("window_end", "The window ends when it starts; leave both empty for always.")


def in_window(contact, local_time):
    """Windows are local wall-clock times; one like 20:00–08:00 runs overnight."""
    start, end = contact.window_start, contact.window_end
    if start is None:
        return True
    if start < end:
        return start <= local_time < end
    return local_time >= start or local_time < end


def on_duty(session, suite, role, now):
    """Active contacts for a role at a suite whose window covers `now` in the suite's time."""
    wall_clock = local(now, suite.timezone).time()
    contacts = session.scalars(select(Contact).where(
        Contact.suite_id == suite.id, Contact.role == role, Contact.active).order_by(Contact.id)).all()
    return [c for c in contacts if in_window(c, wall_clock)]


def get_contact(session, contact_id):
    contact = session.get(Contact, contact_id)
    if contact is None or not contact.active:
        raise NotFound(f"There is no contact {contact_id}.")
    return contact


def _snapshot(contact):
    values = audit.snapshot(contact, AUDITED[1:])
    values["suite_code"] = contact.suite.code
    values["window_start"] = contact.window_start.strftime("%H:%M") if contact.window_start else None
    values["window_end"] = contact.window_end.strftime("%H:%M") if contact.window_end else None
    return values


def _values(session, data, current=None):
    """Validated field values from API input, merged over the contact being changed."""
    values = {}
    if "suite" in data:
        values["suite"] = suite_by_code(session, data["suite"])
    if "role" in data:
        if data["role"] not in CONTACT_ROLES:
            raise invalid("role", f"Role must be one of: {', '.join(CONTACT_ROLES)}.")
        values["role"] = data["role"]
    if "name" in data:
        values["name"] = data["name"].strip()
    if "phone" in data:
        values["phone"] = normalise_phone(data["phone"])
    for field in ("window_start", "window_end"):
        if field in data:
            values[field] = parse_window_time(data[field], field)
    check_window(values.get("window_start", getattr(current, "window_start", None)),
                 values.get("window_end", getattr(current, "window_end", None)))
    return values


def create(session, data, user, now):
    values = _values(session, data)
    contact = Contact(**values, active=True)
    session.add(contact)
    session.flush()
    audit.record(session, user=user, now=now, entity="contact", entity_id=contact.id, action="created",
                 after=_snapshot(contact))
    return contact


def update(session, contact, data, user, now):
    values = _values(session, data, current=contact)
    before = _snapshot(contact)
    for field, value in values.items():
        setattr(contact, field, value)
    audit.record_amendment(session, user=user, now=now, entity="contact", entity_id=contact.id,
                           before=before, after=_snapshot(contact))
    return contact


def remove(session, contact, user, now):
    """Taken off the chain, kept on record: past texts still name who they went to."""
    contact.active = False
    audit.record(session, user=user, now=now, entity="contact", entity_id=contact.id, action="removed",
                 before={"active": True}, after={"active": False})
