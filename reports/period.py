"""The pack's period: whole local days, turned into UTC instants at local midnight."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

FORTNIGHT = timedelta(days=14)


@dataclass(frozen=True)
class Period:
    """`first` 00:00 to the end of `last`, local time in `zone`, both days included."""
    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self):
        return _local_midnight(self.first, self.zone)

    @property
    def end(self):
        """The first instant after the period (exclusive)."""
        return _local_midnight(self.last + timedelta(days=1), self.zone)

    @property
    def days(self):
        return (self.last - self.first).days + 1

    def previous(self):
        """The equally long period just before."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.zone)

    def fortnights_back(self, count):
        """`count` fortnights ending with the last day of this period, oldest first."""
        ends = [self.last - FORTNIGHT * back for back in range(count - 1, -1, -1)]
        return [Period(end - FORTNIGHT + timedelta(days=1), end, self.zone) for end in ends]

    @classmethod
    def last_complete_fortnight(cls, now, zone):
        """Monday to Sunday, the two whole weeks before the current one (local)."""
        today = now.astimezone(zone).date()
        last_sunday = today - timedelta(days=today.weekday() + 1)
        return cls(last_sunday - timedelta(days=13), last_sunday, zone)


def _local_midnight(day, zone):
    # Midnight exists on every day in Europe/London (the clocks change at 01:00 and 02:00).
    return datetime.combine(day, time(0), zone).astimezone(timezone.utc)
