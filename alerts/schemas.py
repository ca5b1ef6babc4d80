"""marshmallow schemas for the SMS log and the escalation contacts (SPEC §5)."""
from marshmallow import Schema, fields, validate

from alerts.models import CONTACT_ROLES, MESSAGE_STATUSES
from custody.schemas import Instant, StrictSchema, one_of, text

HH_MM_OR_EMPTY = validate.Regexp(r"^(([01]?\d|2[0-3]):[0-5]\d)?$", error="Give a local time as HH:MM, e.g. 08:00.")


class MessageQuery(Schema):
    # A row id: past PostgreSQL's integer is no detention (SQLite raised OverflowError: a 500).
    detention_id = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**31 - 1))
    status = fields.String(load_default=None, validate=one_of(MESSAGE_STATUSES))


class MessageOut(Schema):
    """One text to one number. `late`: sent well after its step fell due (a catch-up)."""
    id = fields.Integer()
    detention_id = fields.Integer(allow_none=True)
    clock = fields.String(allow_none=True)
    step = fields.Integer(allow_none=True)
    role = fields.String(allow_none=True)
    contact_name = fields.Function(lambda m: m.contact.name if m.contact else None)
    to = fields.String()
    body = fields.String()
    status = fields.String(metadata={"enum": list(MESSAGE_STATUSES)})
    due_at = Instant(allow_none=True)
    sent_at = Instant(allow_none=True)
    late = fields.Boolean()
    acknowledged_at = Instant(allow_none=True)
    eta_minutes = fields.Integer(allow_none=True)
    error_code = fields.String(allow_none=True)
    error_message = fields.String(allow_none=True)


def _window(**kwargs):
    return fields.String(allow_none=True, validate=HH_MM_OR_EMPTY, **kwargs)


class ContactIn(StrictSchema):
    suite = fields.String(required=True, metadata={"description": "Suite code, e.g. DUR"})
    role = fields.String(required=True, validate=one_of(CONTACT_ROLES))
    name = text(120, required=True)
    phone = fields.String(required=True, validate=validate.Length(min=3, max=40),
                          metadata={"description": "A mobile number; stored in E.164 (+447700900123)"})
    window_start = _window(load_default=None, metadata={"description": "Local HH:MM; empty with window_end = always"})
    window_end = _window(load_default=None, metadata={"description": "Local HH:MM; may be before window_start (overnight)"})


class ContactChange(ContactIn):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


def _hh_mm(value):
    return value.strftime("%H:%M") if value else None


class ContactOut(Schema):
    id = fields.Integer()
    suite = fields.Function(lambda c: c.suite.code)
    role = fields.String()
    name = fields.String()
    phone = fields.String()
    window_start = fields.Function(lambda c: _hh_mm(c.window_start), allow_none=True)
    window_end = fields.Function(lambda c: _hh_mm(c.window_end), allow_none=True)
    active = fields.Boolean()
