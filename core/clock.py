"""Time. Services take `now` as an argument; the app's clock is the one place that reads it."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def utc_now():
    return datetime.now(timezone.utc)


def local(instant, tz_name):
    """An instant as wall-clock time in a suite's zone, for display and local-day arithmetic."""
    return instant.astimezone(ZoneInfo(tz_name)) if instant else None


def iso_utc(instant):
    """ISO 8601 in UTC with a Z, the form every API response uses."""
    if instant is None:
        return None
    return instant.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
