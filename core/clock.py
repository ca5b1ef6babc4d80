"""Time. Services take `now` as an argument; the app's clock is the one place that reads it."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def utc_now():
    return datetime.now(timezone.utc)


def local(instant, zone):
    """An instant as wall-clock time in a suite's zone (a ZoneInfo or its name), for display."""
    if instant is None:
        return None
    return instant.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


def iso_utc(instant):
    """ISO 8601 in UTC with a Z, the form every API response uses."""
    if instant is None:
        return None
    return instant.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
