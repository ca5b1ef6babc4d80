"""The pack's figures in the order a meeting reads them, with labels: one list for the page,
the CSV and the XLSX, so the three cannot disagree about what a row is."""
from dataclasses import dataclass

LOWER, HIGHER = "lower", "higher"  # which way is better; None when neither is


@dataclass(frozen=True)
class Figure:
    key: str        # dotted path into the pack, e.g. "minutes_to_aa_arrival.median"
    label: str
    unit: str       # count, minutes, hours, pct
    better: str | None = None

    def of(self, figures):
        value = figures
        for part in self.key.split("."):
            value = value.get(part) if value is not None else None
        return value


SECTIONS = [
    ("Appropriate adults", [
        Figure("children_detained", "Children detained", "count"),
        Figure("minutes_to_aa_request.median", "Arrival to AA request, median", "minutes", LOWER),
        Figure("minutes_to_aa_request.p90", "Arrival to AA request, 90th percentile", "minutes", LOWER),
        Figure("minutes_to_aa_arrival.median", "Arrival to AA arrival, median", "minutes", LOWER),
        Figure("minutes_to_aa_arrival.p90", "Arrival to AA arrival, 90th percentile", "minutes", LOWER),
        Figure("minutes_to_aa_arrival.max", "Arrival to AA arrival, longest", "minutes", LOWER),
        Figure("aa_response_minutes.median", "AA response (request to arrival), median", "minutes", LOWER),
        Figure("aa_response_minutes.p90", "AA response (request to arrival), 90th percentile", "minutes", LOWER),
        Figure("aa_within_target_pct", "AA arrived within target", "pct", HIGHER),
        Figure("released_without_aa", "Released with no AA", "count", LOWER),
    ]),
    ("PACE reviews", [
        Figure("reviews_total", "Reviews held", "count"),
        Figure("reviews_in_person_pct", "Reviews in person", "pct", HIGHER),
        Figure("reviews_aa_present_pct", "Reviews with the AA present", "pct", HIGHER),
        Figure("reviews_late", "Reviews held late", "count", LOWER),
    ]),
    ("Needs and referrals", [
        Figure("needs_flagged", "Children with needs flagged", "count"),
        Figure("needs_flagged_referred_pct", "Of those, referred to children's social care", "pct", HIGHER),
    ]),
    ("Overnight, charge and transfer", [
        Figure("overnight", "Held overnight", "count", LOWER),
        Figure("overnight_pct", "Held overnight, of all", "pct", LOWER),
        Figure("charged_bail_refused", "Charged and refused bail", "count"),
        Figure("accommodation_requested", "Local authority accommodation requested", "count"),
        Figure("accommodation_secure", "Secure accommodation requested", "count"),
        Figure("accommodation_non_secure", "Non-secure accommodation requested", "count"),
        Figure("transferred", "Transferred to local authority accommodation", "count", HIGHER),
        Figure("transferred_pct", "Transferred, of those refused bail", "pct", HIGHER),
        Figure("certificates", "Juvenile detention certificates", "count"),
    ]),
    ("Strip searches", [
        Figure("strip_searches", "Strip searches", "count"),
        Figure("strip_searches_without_aa", "Strip searches with no AA present", "count", LOWER),
    ]),
    ("Time in custody", [
        Figure("hours_in_custody.median", "Hours in custody, median (released)", "hours", LOWER),
        Figure("hours_in_custody.p90", "Hours in custody, 90th percentile (released)", "hours", LOWER),
    ]),
    ("Texts", [
        Figure("sms.sent", "Texts sent", "count"),
        Figure("sms.failed", "Texts failed", "count", LOWER),
        Figure("sms.acknowledged", "Texts acknowledged", "count"),
        Figure("sms.median_ack_minutes", "Minutes to acknowledge, median", "minutes", LOWER),
    ]),
]
FIGURES = [figure for _, figures in SECTIONS for figure in figures]

HEADLINES = [FIGURES[0], *(f for f in FIGURES if f.key in (
    "minutes_to_aa_arrival.median", "aa_within_target_pct", "transferred_pct"))]

EXCEPTION_LABELS = {
    "aa_late": "AA later than target", "no_aa": "Released with no AA", "review_late": "Review late",
    "not_transferred": "Refused bail, not transferred", "overnight": "Held overnight",
    "strip_search_without_aa": "Strip search with no AA",
}


def change(figure, current, previous):
    """The difference against the previous period, and whether that is better or worse."""
    now, before = figure.of(current), figure.of(previous)
    if now is None or before is None:
        return None, None
    difference = round(now - before, 1) if figure.unit != "count" else now - before
    if difference == 0 or figure.better is None:
        return difference, None
    improved = (difference < 0) == (figure.better == LOWER)
    return difference, "better" if improved else "worse"


UNIT_WORDS = {"minutes": " min", "hours": " h"}


def display(value, unit, with_unit=False):
    if value is None:
        return "–"
    if unit == "count":
        return f"{value:,}"
    if unit == "pct":
        return f"{value:,.1f}%"
    return f"{value:,.1f}{UNIT_WORDS.get(unit, '') if with_unit else ''}"


def display_change(difference, unit):
    if difference is None:
        return "–"
    sign = "+" if difference > 0 else ("−" if difference < 0 else "")
    magnitude = display(abs(difference), "count" if unit == "count" else unit.replace("pct", "number"),
                        with_unit=True)
    return f"{sign}{magnitude}{' points' if unit == 'pct' else ''}"
