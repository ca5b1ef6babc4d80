"""marshmallow schemas: input schemas validate requests, output schemas describe responses.

The OpenAPI document is generated from these same classes, so what the API checks and what
it documents cannot drift apart.
"""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.clock import iso_utc
from custody import models as m


class Instant(fields.AwareDateTime):
    """An instant: ISO 8601 with an offset on input, UTC with a Z on output."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)
        self.error_messages["invalid_awareness"] = "Give the time with an offset, e.g. 2026-10-24T23:00:00+01:00."

    def _serialize(self, value, attr, obj, **kwargs):
        return iso_utc(value)


def one_of(choices):
    return validate.OneOf(choices, error="Must be one of: {choices}.")


def text(max_length=None, required=False, **kwargs):
    validators = [validate.Length(min=1 if required else 0, max=max_length)] if max_length else []
    if required:
        return fields.String(required=True, validate=validators or validate.Length(min=1), **kwargs)
    return fields.String(load_default=None, allow_none=True, validate=validators, **kwargs)


class StrictSchema(Schema):
    """Unknown fields are refused, not silently dropped: a typo must not lose a fact."""


# -- Booking -----------------------------------------------------------------------------

class DetentionFields(StrictSchema):
    custody_record_number = text(40)
    forename = text(100, required=True)
    surname = text(100, required=True)
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    apparent_age = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 30))
    sex = text(40)
    ethnicity = text(80)
    looked_after = fields.Boolean(load_default=False)
    needs = fields.List(fields.String(validate=one_of(m.NEEDS)), load_default=list)
    arrested_at = Instant(load_default=None, allow_none=True)
    arrived_at = Instant(required=True)
    detention_authorised_at = Instant(load_default=None, allow_none=True)
    offence = text(2000)
    arresting_officer = text(120)


class DetentionIn(DetentionFields):
    suite = fields.String(required=True, metadata={"description": "Suite code, e.g. DUR"})

    @validates_schema
    def age_given(self, data, **kwargs):
        if data.get("date_of_birth") is None and data.get("apparent_age") is None:
            raise ValidationError("Give the date of birth, or an apparent age when it is not known.",
                                  "date_of_birth")


class DetentionAmend(DetentionFields):
    """Any booking field may be corrected; the reason is required and kept in the audit trail."""
    amend_reason = fields.String(required=True, validate=validate.Length(min=3, max=2000))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", tuple(DetentionFields._declared_fields))  # all but the reason
        super().__init__(*args, **kwargs)


class DetentionQuery(Schema):
    status = fields.String(load_default=None, validate=one_of(("in_custody", "released")))
    suite = fields.String(load_default=None)


# -- Events ------------------------------------------------------------------------------

class WelfareNotificationIn(StrictSchema):
    informed_at = Instant(load_default=None)
    person_name = text(120, required=True)
    relationship = text(80)


class AARequestIn(StrictSchema):
    requested_at = Instant(load_default=None)
    aa_type = fields.String(required=True, validate=one_of(m.AA_TYPES))
    contact_name = text(120)
    notes = text(4000)


class AAArrivalIn(StrictSchema):
    arrived_at = Instant(load_default=None)
    aa_name = text(120, required=True)


class AACancelIn(StrictSchema):
    cancelled_at = Instant(load_default=None)
    reason = text(2000, required=True)


class ReviewIn(StrictSchema):
    held_at = Instant(load_default=None)
    reviewer_name = text(120, required=True)
    reviewer_rank = text(60)
    kind = fields.String(required=True, validate=one_of(m.REVIEW_KINDS))
    mode = fields.String(required=True, validate=one_of(m.REVIEW_MODES))
    remote_reason = text(2000)
    child_seen = fields.Boolean(required=True)
    aa_present = fields.Boolean(load_default=False)
    solicitor_present = fields.Boolean(load_default=False)
    representations = text(4000)
    investigation_progress_considered = fields.Boolean(load_default=False)
    outcome = fields.String(required=True, validate=one_of(m.REVIEW_OUTCOMES))
    rationale = text(4000)


class ReferralIn(StrictSchema):
    service = fields.String(required=True, validate=one_of(m.REFERRAL_SERVICES))
    made_at = Instant(load_default=None)
    reason = text(4000)
    external_reference = text(80)


class ChargeIn(StrictSchema):
    charged_at = Instant(load_default=None)
    offences = text(4000, required=True)
    bail = fields.String(required=True, validate=one_of(m.BAIL))
    refusal_grounds = text(4000)


class AccommodationRequestIn(StrictSchema):
    requested_at = Instant(load_default=None)
    type = fields.String(required=True, validate=one_of(m.ACCOMMODATION_TYPES))
    local_authority = text(120, required=True)
    la_contact = text(120)


class AccommodationResponseIn(StrictSchema):
    responded_at = Instant(load_default=None)
    la_response = fields.String(load_default=None, validate=one_of(m.LA_RESPONSES), metadata={
        "description": "Required for the response; left out when a later call records only the transfer."})
    transferred_at = Instant(load_default=None, allow_none=True, metadata={
        "description": "When the child left for the accommodation; can be sent on its own after an "
                       "`accepted` response."})


class AccommodationTransferIn(StrictSchema):
    transferred_at = Instant(load_default=None)


class CertificateIn(StrictSchema):
    issued_at = Instant(load_default=None)
    ground = fields.String(required=True, validate=one_of(m.CERTIFICATE_GROUNDS))
    reasons = text(8000, required=True)
    issued_by = text(120, required=True)
    approved_by = text(120)
    approved_at = Instant(load_default=None, allow_none=True)


class CertificateApprovalIn(StrictSchema):
    approved_by = text(120, required=True)
    approved_at = Instant(load_default=None)


class StripSearchIn(StrictSchema):
    searched_at = Instant(load_default=None)
    aa_present = fields.Boolean(required=True)
    reason = text(4000, required=True)
    urgent_without_aa_reason = text(4000)


class ReleaseIn(StrictSchema):
    released_at = Instant(load_default=None)
    outcome = fields.String(required=True, validate=one_of(m.RELEASE_OUTCOMES))


class SuiteIn(StrictSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{2,10}$",
                                                                 error="2 to 10 letters, e.g. DUR."))
    name = text(100, required=True)
    timezone = fields.String(load_default="Europe/London")
    active = fields.Boolean(load_default=True)


class SuiteUpdate(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    timezone = fields.String()
    active = fields.Boolean()


# -- Output ------------------------------------------------------------------------------

class SuiteOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    timezone = fields.String()
    active = fields.Boolean()


class WelfareNotificationOut(Schema):
    id = fields.Integer()
    informed_at = Instant()
    person_name = fields.String()
    relationship = fields.String(attribute="relationship_to_child", allow_none=True)


class AARequestOut(Schema):
    id = fields.Integer()
    detention_id = fields.Integer()
    requested_at = Instant()
    aa_type = fields.String()
    contact_name = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    arrived_at = Instant(allow_none=True)
    aa_name = fields.String(allow_none=True)
    cancelled_at = Instant(allow_none=True)
    cancel_reason = fields.String(allow_none=True)


class ReviewOut(Schema):
    id = fields.Integer()
    due_at = Instant()
    held_at = Instant()
    late = fields.Boolean()
    reviewer_name = fields.String()
    reviewer_rank = fields.String(allow_none=True)
    kind = fields.String()
    mode = fields.String()
    remote_reason = fields.String(allow_none=True)
    child_seen = fields.Boolean()
    aa_present = fields.Boolean()
    solicitor_present = fields.Boolean()
    representations = fields.String(allow_none=True)
    investigation_progress_considered = fields.Boolean()
    outcome = fields.String()
    rationale = fields.String(allow_none=True)


class ReferralOut(Schema):
    id = fields.Integer()
    service = fields.String()
    made_at = Instant()
    reason = fields.String(allow_none=True)
    external_reference = fields.String(allow_none=True)


class ChargeOut(Schema):
    id = fields.Integer()
    charged_at = Instant()
    offences = fields.String()
    bail = fields.String()
    refusal_grounds = fields.String(allow_none=True)


class AccommodationRequestOut(Schema):
    id = fields.Integer()
    detention_id = fields.Integer()
    requested_at = Instant()
    type = fields.String()
    local_authority = fields.String()
    la_contact = fields.String(allow_none=True)
    responded_at = Instant(allow_none=True)
    la_response = fields.String(allow_none=True)
    transferred_at = Instant(allow_none=True)


class CertificateOut(Schema):
    id = fields.Integer()
    issued_at = Instant()
    ground = fields.String()
    reasons = fields.String()
    issued_by = fields.String()
    approved_by = fields.String(allow_none=True)
    approved_at = Instant(allow_none=True)


class StripSearchOut(Schema):
    id = fields.Integer()
    searched_at = Instant()
    aa_present = fields.Boolean()
    reason = fields.String()
    urgent_without_aa_reason = fields.String(allow_none=True)


class ReleaseOut(Schema):
    released_at = Instant()
    outcome = fields.String(attribute="release_outcome")


class DetentionOut(Schema):
    """A detention as listed: the booking and the computed PACE times."""
    id = fields.Integer()
    reference = fields.String()
    suite = fields.Function(lambda d: d.suite.code)
    custody_record_number = fields.String(allow_none=True)
    forename = fields.String()
    surname = fields.String()
    date_of_birth = fields.Date(allow_none=True)
    apparent_age = fields.Integer(allow_none=True)
    age = fields.Integer()
    sex = fields.String(allow_none=True)
    ethnicity = fields.String(allow_none=True)
    looked_after = fields.Boolean()
    needs = fields.List(fields.String())
    arrested_at = Instant(allow_none=True)
    arrived_at = Instant()
    detention_authorised_at = Instant()
    relevant_time = Instant()
    detention_limit_at = Instant()
    offence = fields.String(allow_none=True)
    arresting_officer = fields.String(allow_none=True)
    status = fields.String()
    sms_code = fields.String()
    overnight = fields.Boolean()
    released_at = Instant(allow_none=True)
    release = fields.Method("dump_release", allow_none=True)
    referral_to_consider = fields.Boolean()

    def dump_release(self, detention):
        return ReleaseOut().dump(detention) if detention.released_at else None


class ClocksOut(Schema):
    aa_wait_minutes = fields.Float(allow_none=True)
    aa_arrived_at = Instant(allow_none=True)
    next_review_due_at = Instant(allow_none=True)
    review_overdue = fields.Boolean()
    relevant_time = Instant()
    detention_limit_at = Instant()


class TimelineEntryOut(Schema):
    id = fields.Integer()
    entity = fields.String()
    entity_id = fields.Integer(allow_none=True)
    action = fields.String()
    occurred_at = Instant(allow_none=True)
    recorded_at = Instant()
    recorded_by = fields.Function(lambda e: e.user.username if e.user else None)
    reason = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class DetentionRecordOut(DetentionOut):
    """The whole record (SPEC §5)."""
    welfare_notification = fields.Nested(WelfareNotificationOut, allow_none=True)
    aa_requests = fields.List(fields.Nested(AARequestOut))
    reviews = fields.List(fields.Nested(ReviewOut))
    referrals = fields.List(fields.Nested(ReferralOut))
    charge = fields.Nested(ChargeOut, allow_none=True)
    accommodation_requests = fields.List(fields.Nested(AccommodationRequestOut))
    certificate = fields.Nested(CertificateOut, allow_none=True)
    strip_searches = fields.List(fields.Nested(StripSearchOut))
    # By name, from the schema registry: custody does not import alerts (alerts.schemas).
    messages = fields.List(fields.Nested("MessageOut"), metadata={"description": "Texts sent about this child"})
    clocks = fields.Nested(ClocksOut)
    timeline = fields.List(fields.Nested(TimelineEntryOut))
