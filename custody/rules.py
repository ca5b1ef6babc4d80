"""Rules that refuse a fact before anything is written (SPEC §3, §3.8). Pure functions."""
from datetime import timedelta

from core.clock import local
from core.errors import Invalid, invalid

FUTURE_TOLERANCE = timedelta(minutes=2)  # clocks on custody-suite PCs drift a little
YOUNGEST = 10  # the age of criminal responsibility in England and Wales
ADULT = 18


def age_on(date_of_birth, day):
    """Whole years on a given day (a birthday on 29 February falls on 1 March in other years)."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def age_at_arrival(date_of_birth, apparent_age, arrived_at, zone):
    if date_of_birth is not None:
        return age_on(date_of_birth, arrived_at.astimezone(zone).date())
    return apparent_age


def check_child(age, date_of_birth, arrived_at, now):
    if age is None:  # an amendment may clear both the date of birth and the apparent age
        raise invalid("date_of_birth", "Give the date of birth, or an apparent age when it is not known.")
    field = "date_of_birth" if date_of_birth is not None else "apparent_age"
    if date_of_birth is not None and date_of_birth > arrived_at.date():
        raise invalid("date_of_birth", "The date of birth is after the arrival at the suite.")
    if age >= ADULT:
        raise invalid(field, f"The child would be {age} at arrival. This system tracks children (10 to 17); "
                             "a person aged 18 or over is not booked in here.")
    if age < YOUNGEST:
        raise invalid(field, f"The child would be {age} at arrival. Children under 10 cannot be arrested "
                             "for an offence (age of criminal responsibility), so they are not booked in here.")


def check_not_future(field, value, now):
    if value > now + FUTURE_TOLERANCE:
        raise invalid(field, "This time is in the future. Record what has happened, when it happened.")


def check_event_time(field, value, detention, now):
    """Any event time: not before arrival, not after release, not in the future (SPEC §3.8)."""
    check_not_future(field, value, now)
    zone = detention.suite.zone
    if value < detention.arrived_at:
        raise invalid(field, "This time is before the child arrived at the suite "
                             f"({local(detention.arrived_at, zone):%d/%m/%Y %H:%M}).")
    if detention.released_at is not None and value > detention.released_at:
        raise invalid(field, "This time is after the child was released "
                             f"({local(detention.released_at, zone):%d/%m/%Y %H:%M}).")


def check_booking_times(data, now):
    """arrived_at, arrested_at and detention_authorised_at, as given on a booking or amendment."""
    arrived_at = data["arrived_at"]
    check_not_future("arrived_at", arrived_at, now)
    arrested_at = data.get("arrested_at")
    if arrested_at is not None:
        check_not_future("arrested_at", arrested_at, now)
        if arrested_at > arrived_at:
            raise invalid("arrested_at", "The arrest is after the arrival at the suite.")
    authorised = data.get("detention_authorised_at")
    if authorised is not None:
        check_not_future("detention_authorised_at", authorised, now)
        if authorised < arrived_at:
            raise invalid("detention_authorised_at", "Detention cannot be authorised before the child arrived.")


def require(condition, field, message):
    if not condition:
        raise invalid(field, message)


__all__ = ["Invalid", "age_at_arrival", "check_child", "check_event_time", "check_booking_times", "require"]
