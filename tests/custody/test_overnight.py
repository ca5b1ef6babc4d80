"""The overnight flag (SPEC §3.8, Concordat on Children in Custody): at least 4 hours between
00:00 and 08:00 local time on any one night, measured in real hours across the BST changes.

In 2026 the clocks go forward at 01:00 GMT on 29 March (that night's 00:00-08:00 is 7 real
hours, ending 07:00 UTC) and back at 02:00 BST on 25 October (9 real hours, starting 23:00 UTC).
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from custody.models import overnight

LONDON = ZoneInfo("Europe/London")


def utc(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


@pytest.mark.parametrize("arrived,left,expected", [
    # An ordinary winter night: 00:00-08:00 GMT is 00:00-08:00 UTC.
    (utc(11, 27, 22), utc(11, 28, 3, 59), False),
    (utc(11, 27, 22), utc(11, 28, 4), True),
    (utc(11, 28, 4), utc(11, 28, 8), True),
    (utc(11, 28, 4, 1), utc(11, 28, 9), False),
    # An ordinary summer night: 00:00-08:00 BST is 23:00-07:00 UTC.
    (utc(7, 1, 3), utc(7, 1, 7), True),
    (utc(7, 1, 3), utc(7, 1, 8), True),
    (utc(7, 1, 3, 30), utc(7, 1, 9), False),   # only 3h30 before 08:00 BST (07:00 UTC)
    # 25 October: 00:30 BST to 03:30 GMT is 3 hours on the wall clock but 4 real hours.
    (utc(10, 24, 23, 30), utc(10, 25, 3, 30), True),
    (utc(10, 24, 23, 31), utc(10, 25, 3, 30), False),
    # 25 October: the night ends at 08:00 GMT = 08:00 UTC, not 07:00 UTC as in summer.
    (utc(10, 25, 4), utc(10, 25, 10), True),
    # 29 March: 00:30 GMT to 04:30 BST is 4 hours on the wall clock but 3 real hours.
    (utc(3, 29, 0, 30), utc(3, 29, 3, 30), False),
    (utc(3, 29, 0, 30), utc(3, 29, 4, 30), True),
    # 29 March: the night ends at 08:00 BST = 07:00 UTC, not 08:00 UTC as in winter.
    (utc(3, 29, 3, 30), utc(3, 29, 10), False),
    (utc(3, 29, 3), utc(3, 29, 10), True),
])
def test_overnight_counts_real_hours_across_the_clock_changes(arrived, left, expected):
    assert overnight(arrived, left, LONDON) is expected


@pytest.mark.parametrize("arrived,left,expected", [
    (utc(10, 24, 23, 30), utc(10, 25, 3, 30), True),
    (utc(3, 29, 0, 30), utc(3, 29, 3, 30), False),
])
def test_overnight_is_the_same_given_local_times(arrived, left, expected):
    # Two datetimes sharing a tzinfo subtract by wall clock in Python; the rule must not.
    assert overnight(arrived.astimezone(LONDON), left.astimezone(LONDON), LONDON) is expected


def test_two_short_nights_do_not_add_up_to_one():
    # From 05:00 one morning to 03:00 the next (GMT): 3 hours of each night, 6 in all,
    # but never 4 in one night.
    assert overnight(utc(11, 27, 5), utc(11, 28, 3), LONDON) is False


def test_a_long_stay_across_several_nights_is_overnight():
    assert overnight(utc(11, 25, 12), utc(11, 28, 12), LONDON) is True


def test_still_in_custody_or_no_time_in_custody_is_not_overnight():
    assert overnight(utc(11, 28, 0), None, LONDON) is False
    assert overnight(utc(11, 28, 5), utc(11, 28, 5), LONDON) is False
