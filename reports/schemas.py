"""The pack's query (validated) and its response (documented in the OpenAPI document)."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validates_schema

from custody.schemas import Instant
from reports.pack import EXCEPTION_KINDS

LONGEST_PERIOD_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


class PerformanceQuery(Schema):
    from_ = fields.Date(data_key="from", load_default=None,
                        metadata={"description": "First local day (YYYY-MM-DD). With `to`; both omitted: "
                                                 "the last complete fortnight, Monday to Sunday."})
    to = fields.Date(load_default=None, metadata={"description": "Last local day, included (YYYY-MM-DD)."})
    suite = fields.String(load_default=None, metadata={"description": "Suite code, e.g. DUR; all suites if empty."})

    @validates_schema
    def period_makes_sense(self, data, **kwargs):
        first, last = data.get("from_"), data.get("to")
        if (first is None) != (last is None):
            missing = "to" if last is None else "from"
            raise ValidationError("Give both `from` and `to`, or neither for the last complete fortnight.", missing)
        if first is None:
            return
        if first < EARLIEST or last > LATEST:  # the pack also reads fortnights before `from`: keep off year 1
            raise ValidationError(f"Give days from {EARLIEST} to {LATEST}.", "from" if first < EARLIEST else "to")
        if first > last:
            raise ValidationError("`from` is after `to`.", "from")
        if (last - first).days + 1 > LONGEST_PERIOD_DAYS:
            raise ValidationError(f"A pack covers at most {LONGEST_PERIOD_DAYS} days.", "to")


def _number(description):
    return fields.Float(allow_none=True, metadata={"description": description})


class MedianP90(Schema):
    median = _number("Median (the mean of the two middle values for an even count); null over none")
    p90 = _number("Nearest-rank 90th percentile: the value at rank ⌈0.9·n⌉; null over none")


class MedianP90Max(MedianP90):
    max = _number("The longest; null over none")


class ReviewsByMode(Schema):
    in_person = fields.Integer()
    video = fields.Integer()
    telephone = fields.Integer()


class Sms(Schema):
    sent = fields.Integer(metadata={"description": "Texts handed to the provider (sent_at recorded)"})
    failed = fields.Integer(metadata={"description": "Texts that failed or were undelivered"})
    acknowledged = fields.Integer(metadata={"description": "Texts answered with ACK or ETA"})
    median_ack_minutes = _number("Median minutes from sending to acknowledgement")


def _count(description):
    return fields.Integer(metadata={"description": description})


def _pct(description):
    return _number(description + " (percent, one decimal; null when the base is empty)")


class Figures(Schema):
    """Every figure of SPEC §6, for one population."""
    children_detained = _count("Detentions whose arrival falls in the period")
    minutes_to_aa_request = fields.Nested(MedianP90)
    minutes_to_aa_arrival = fields.Nested(MedianP90Max)
    aa_response_minutes = fields.Nested(MedianP90)
    aa_within_target_pct = _pct("Detentions with an AA arrival within AA_TARGET_MINUTES of arrival, of all")
    released_without_aa = _count("Released with no AA arrival")
    reviews_total = _count("PACE reviews held")
    reviews_in_person_pct = _pct("Reviews held in person")
    reviews_aa_present_pct = _pct("Reviews with the AA present")
    reviews_late = _count("Reviews held after their due time")
    reviews_by_mode = fields.Nested(ReviewsByMode)
    needs_flagged = _count("Detentions with any need flagged")
    needs_flagged_referred_pct = _pct("Of those, with a children's social care referral")
    overnight = _count("Held at least 4 hours between 00:00 and 08:00 on one night")
    overnight_pct = _pct("Overnight, of all detentions")
    charged_bail_refused = _count("Charged and refused bail")
    accommodation_requested = _count("Detentions with a local authority accommodation request")
    accommodation_secure = _count("Detentions with a secure accommodation request")
    accommodation_non_secure = _count("Detentions with a non-secure accommodation request")
    transferred = _count("Refused bail and transferred to local authority accommodation")
    transferred_pct = _pct("Transferred, of those refused bail")
    certificates = _count("Juvenile detention certificates")
    strip_searches = _count("Strip searches")
    strip_searches_without_aa = _count("Strip searches with no AA present")
    hours_in_custody = fields.Nested(MedianP90, metadata={"description": "Hours, over released detentions"})
    sms = fields.Nested(Sms)


class PreviousPeriod(Figures):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()


class ExceptionRow(Schema):
    detention_id = fields.Integer()
    reference = fields.String()
    suite = fields.String(metadata={"description": "Suite code"})
    kind = fields.String(metadata={"enum": list(EXCEPTION_KINDS)})
    minutes = _number("aa_late: minutes to AA (or waited so far); review_late: minutes late; no_aa and "
                      "overnight: minutes in custody; not_transferred: minutes held after charge; "
                      "strip_search_without_aa: null")


class PerformancePack(Figures):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    suite = fields.String(allow_none=True)
    aa_target_minutes = fields.Integer()
    generated_at = Instant()
    by_suite = fields.Dict(keys=fields.String(), values=fields.Nested(Figures),
                           metadata={"description": "The same figures per suite code"})
    previous_period = fields.Nested(PreviousPeriod)
    exceptions = fields.List(fields.Nested(ExceptionRow))
