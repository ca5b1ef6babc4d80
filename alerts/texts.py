"""What a text says (SPEC §4.3): one GSM-7 segment, 160 characters at most.

A text names the suite, the child's age, what is late and since when (the suite's local
24-hour time), the child's `sms_code` and how to reply. It is built from those fields only,
so it cannot carry the child's name, date of birth, address, offence or custody record
number: phones are lost, shared and read over shoulders.
"""
import unicodedata

from core.clock import local

SEGMENT = 160
# GSM 03.38: the basic set costs one septet a character, the extension set two (escape + char).
GSM7_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
              "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = "^{}\\[~]|€"
OFFERS_ETA = frozenset({"aa_scheme", "aa_scheme_coordinator", "local_authority_edt"})  # people who travel


def gsm7_length(text):
    """Septets needed for `text`, or None when it cannot be sent as GSM-7 at all."""
    total = 0
    for char in text:
        if char in GSM7_BASIC:
            total += 1
        elif char in GSM7_EXTENSION:
            total += 2
        else:
            return None
    return total


def fits_one_segment(text):
    length = gsm7_length(text)
    return length is not None and length <= SEGMENT


def gsm7_safe(text):
    """Accents dropped, anything else outside GSM-7 (and line breaks) replaced, so a suite
    named in Welsh cannot turn a text into three UCS-2 segments."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return "".join(c if c in GSM7_BASIC and c not in "\r\n" else " " if c.isspace() else "?" for c in plain)


def clock_time(instant, zone, now):
    """24-hour local time, with the day when it was not today (local) at `now`."""
    here, today = local(instant, zone), local(now, zone)
    return here.strftime("%H:%M") if here.date() == today.date() else here.strftime("%H:%M %d/%m")


def span(duration):
    minutes = max(0, int(duration.total_seconds() // 60))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h" if not rest else f"{hours}h{rest:02d}"


def _what(clock, step, instance, age, zone, now):
    since = clock_time(instance.anchor, zone, now)
    waited = span(now - instance.anchor)
    child = f"a child aged {age}"
    if clock == "aa_not_requested":
        return f"no AA requested for {child}, arrived {since}, waiting {waited}."
    if clock == "aa_callout" and step.reminder:
        return f"REMINDER: AA needed for {child}, requested {since}, no reply after {waited}."
    if clock == "aa_callout":
        return f"AA needed for {child}, requested {since}."
    if clock == "aa_not_arrived":
        return f"AA needed for {child}, requested {since}, not arrived after {waited}."
    if clock == "review_due" and now < instance.anchor:
        return f"PACE review due {since} for {child}, not yet held."
    if clock == "review_due":
        return f"PACE review overdue since {since} for {child}."
    if clock == "accommodation_no_response":
        return f"no LA answer to accommodation request for {child}, made {since}, waiting {waited}."
    raise ValueError(f"no text for clock {clock}")


def _how_to_reply(role, code):
    if role in OFFERS_ETA:
        return f"Reply ACK {code} or ETA {code} <mins>"
    return f"Reply ACK {code}"


def render(instance, step, detention, now):
    """The text for one step of one clock instance about one child, as of `now`."""
    zone = detention.suite.timezone
    what = _what(instance.clock, step, instance, int(detention.age), zone, now)
    rest = f" custody: {what} {_how_to_reply(step.role, detention.sms_code)}"
    room = SEGMENT - gsm7_length(rest)
    if room < 1:
        raise ValueError(f"text for {instance.clock} is too long even without the suite's name")
    return _suite_name(detention.suite.name, room) + rest


def _suite_name(name, room):
    name = gsm7_safe(name.strip()) or "Police"
    while gsm7_length(name) > room:
        name = name[:-1]
    return name.rstrip()


# The answer to anything we cannot act on, from anyone: it says how to reply and nothing else.
HELP_REPLY = "Custody alerts: reply ACK <code> or ETA <code> <mins>, with the 4-digit code from our text."


def acknowledged_reply(code, eta_minutes=None):
    if eta_minutes is None:
        return f"Thank you. {code} acknowledged: reminders to you about it stop."
    return f"Thank you. {code}: ETA {eta_minutes} min noted."
