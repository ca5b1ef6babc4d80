"""A child's custody: the detention and every event recorded against it (SPEC §3).

Rules that only read recorded facts live here as properties, so the board, the API, the
reports and the escalation engine all compute them the same way.
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db

NEEDS = ("mental_health", "learning_disability", "neurodivergence", "self_harm", "substance_misuse",
         "exploitation_concern", "speech_language", "physical_health", "other")
AA_TYPES = ("parent_guardian", "social_worker", "aa_scheme", "other_responsible_adult")
REVIEW_KINDS = ("pre_charge", "post_charge")
REVIEW_MODES = ("in_person", "video", "telephone")
REVIEW_OUTCOMES = ("continue_detention", "release", "charge")
SOCIAL_CARE = "childrens_social_care"  # the referral that answers flagged needs
REFERRAL_SERVICES = (SOCIAL_CARE, "liaison_diversion", "youth_offending_team", "health", "other")
BAIL = ("granted", "refused")
ACCOMMODATION_TYPES = ("non_secure", "secure")
LA_RESPONSES = ("accepted", "refused", "no_bed", "no_response")
CERTIFICATE_GROUNDS = ("impracticable", "no_secure_accommodation")
RELEASE_OUTCOMES = ("no_further_action", "released_under_investigation", "bail", "charged_bailed",
                    "transferred_la_accommodation", "kept_for_court", "other")

# PACE s.41 and s.40
RELEVANT_TIME_AFTER_ARREST = timedelta(hours=24)
DETENTION_LIMIT = timedelta(hours=24)
FIRST_REVIEW_AFTER = timedelta(hours=6)
NEXT_REVIEW_AFTER = timedelta(hours=9)


# The clock rules on plain values, so the board (which reads columns, not objects) and the
# Detention properties below compute them the same way.
def relevant_time(arrived_at, arrested_at):
    """PACE s.41: arrival at the station, or 24 h after arrest if that is earlier."""
    if arrested_at is None:
        return arrived_at
    return min(arrived_at, arrested_at + RELEVANT_TIME_AFTER_ARREST)


def review_due(detention_authorised_at, last_review_held_at):
    """When the next review falls due: 6 h after authorisation, then 9 h after the last review."""
    if last_review_held_at is None:
        return detention_authorised_at + FIRST_REVIEW_AFTER
    return last_review_held_at + NEXT_REVIEW_AFTER


def aa_wait_minutes(arrived_at, aa_arrived_at, released_at, now):
    """Minutes from arrival at the suite until an AA attended (or until now/release)."""
    end = aa_arrived_at or released_at or now
    return round((end - arrived_at).total_seconds() / 60, 1)


def referral_to_consider(needs, referred_to_social_care):
    """Needs flagged, yet no referral to children's social care."""
    return bool(needs) and not referred_to_social_care


class Suite(db.Model):
    __tablename__ = "suites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(50), default="Europe/London")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def zone(self):
        return ZoneInfo(self.timezone)

    def __repr__(self):
        return f"<Suite {self.code}>"


class ReferenceCounter(db.Model):
    """The last reference number given per suite and year (sequential, never reused)."""
    __tablename__ = "reference_counters"

    suite_id: Mapped[int] = mapped_column(ForeignKey("suites.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int]


class Detention(db.Model):
    __tablename__ = "detentions"
    __table_args__ = (
        UniqueConstraint("suite_id", "custody_record_number"),
        # Replies quote the code, so it must name one child among those still held.
        Index("uq_detentions_sms_code_in_custody", "sms_code", unique=True,
              postgresql_where=text("status = 'in_custody'"), sqlite_where=text("status = 'in_custody'")),
        Index("ix_detentions_status_suite", "status", "suite_id"),
        Index("ix_detentions_arrived_at", "arrived_at"),
        CheckConstraint("status IN ('in_custody', 'released')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    suite_id: Mapped[int] = mapped_column(ForeignKey("suites.id"))
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    sms_code: Mapped[str] = mapped_column(String(4))
    custody_record_number: Mapped[str | None] = mapped_column(String(40))
    forename: Mapped[str] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    apparent_age: Mapped[int | None]
    age: Mapped[int]  # whole years at arrival, fixed when booked or amended
    sex: Mapped[str | None] = mapped_column(String(40))
    ethnicity: Mapped[str | None] = mapped_column(String(80))
    looked_after: Mapped[bool] = mapped_column(default=False)
    needs: Mapped[list] = mapped_column(JSON, default=list)
    has_needs: Mapped[bool] = mapped_column(default=False)  # indexed mirror of `needs` for the pack
    arrested_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime]
    detention_authorised_at: Mapped[datetime]
    offence: Mapped[str | None] = mapped_column(Text)
    arresting_officer: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="in_custody")
    released_at: Mapped[datetime | None]
    release_outcome: Mapped[str | None] = mapped_column(String(40))
    overnight: Mapped[bool] = mapped_column(default=False)  # fixed at release (SPEC §3.8)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    suite: Mapped[Suite] = relationship(lazy="joined")
    welfare_notification: Mapped["WelfareNotification | None"] = relationship(back_populates="detention")
    aa_requests: Mapped[list["AARequest"]] = relationship(
        back_populates="detention", order_by="AARequest.requested_at")
    reviews: Mapped[list["Review"]] = relationship(back_populates="detention", order_by="Review.held_at")
    referrals: Mapped[list["Referral"]] = relationship(back_populates="detention", order_by="Referral.made_at")
    charge: Mapped["Charge | None"] = relationship(back_populates="detention")
    accommodation_requests: Mapped[list["AccommodationRequest"]] = relationship(
        back_populates="detention", order_by="AccommodationRequest.requested_at")
    certificate: Mapped["Certificate | None"] = relationship(back_populates="detention")
    strip_searches: Mapped[list["StripSearch"]] = relationship(
        back_populates="detention", order_by="StripSearch.searched_at")

    # -- PACE clocks ---------------------------------------------------------------------
    @property
    def relevant_time(self):
        """PACE s.41: arrival at the station, or 24 h after arrest if that is earlier."""
        return relevant_time(self.arrived_at, self.arrested_at)

    @property
    def detention_limit_at(self):
        return self.relevant_time + DETENTION_LIMIT

    @property
    def in_custody(self):
        return self.status == "in_custody"

    def review_due_after(self, reviews_held):
        """When the next review falls due, given how many reviews have been held."""
        return review_due(self.detention_authorised_at, self.reviews[reviews_held - 1].held_at if reviews_held else None)

    @property
    def next_review_due_at(self):
        return None if not self.in_custody else self.review_due_after(len(self.reviews))

    def review_overdue(self, now):
        due = self.next_review_due_at
        return due is not None and now > due

    # -- Appropriate adult ----------------------------------------------------------------
    @property
    def aa_arrived_at(self):
        """'AA attended' means the earliest arrival among all the requests."""
        arrivals = [r.arrived_at for r in self.aa_requests if r.arrived_at]
        return min(arrivals) if arrivals else None

    @property
    def aa_first_requested_at(self):
        requests = [r.requested_at for r in self.aa_requests]
        return min(requests) if requests else None

    def aa_wait_minutes(self, now):
        """Minutes from arrival at the suite until an AA attended (or until now/release)."""
        return aa_wait_minutes(self.arrived_at, self.aa_arrived_at, self.released_at, now)

    # -- Referrals ------------------------------------------------------------------------
    @property
    def referral_to_consider(self):
        """Needs flagged, yet no referral to children's social care."""
        return referral_to_consider(self.needs, any(r.service == SOCIAL_CARE for r in self.referrals))

    def event_instants(self):
        """Every instant recorded for an event of this custody (not the booking's own times)."""
        instants = [t for r in self.aa_requests for t in (r.requested_at, r.arrived_at, r.cancelled_at)]
        instants += [r.held_at for r in self.reviews] + [r.made_at for r in self.referrals]
        instants += [s.searched_at for s in self.strip_searches]
        instants += [t for a in self.accommodation_requests for t in (a.requested_at, a.responded_at,
                                                                       a.transferred_at)]
        if self.welfare_notification:
            instants.append(self.welfare_notification.informed_at)
        if self.charge:
            instants.append(self.charge.charged_at)
        if self.certificate:
            instants += [self.certificate.issued_at, self.certificate.approved_at]
        return [t for t in instants if t is not None]

    @property
    def bail_refused(self):
        return self.charge is not None and self.charge.bail == "refused"

    def __repr__(self):
        return f"<Detention {self.reference}>"


def overnight(arrived_at, left_at, zone):
    """At least 4 hours between 00:00 and 08:00 local time on any one night (Concordat).

    Night windows are built from local wall-clock times and measured as UTC instants, so the
    night the clocks go back is 9 real hours long and the night they go forward 7, as the
    child lived them. Python subtracts two datetimes that share a tzinfo by wall clock, so
    everything is moved to UTC before any arithmetic.
    """
    if left_at is None or left_at <= arrived_at:
        return False
    arrived_at, left_at = arrived_at.astimezone(timezone.utc), left_at.astimezone(timezone.utc)
    day = arrived_at.astimezone(zone).date()
    last = left_at.astimezone(zone).date()
    while day <= last:
        night_start = datetime.combine(day, time(0), zone).astimezone(timezone.utc)
        night_end = datetime.combine(day, time(8), zone).astimezone(timezone.utc)
        overlap = min(left_at, night_end) - max(arrived_at, night_start)
        if overlap >= timedelta(hours=4):
            return True
        day += timedelta(days=1)
    return False


def _detention_fk():
    return mapped_column(ForeignKey("detentions.id"), index=True)


class WelfareNotification(db.Model):
    """PACE Code C 3.13: the person responsible for the child's welfare has been told."""
    __tablename__ = "welfare_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = mapped_column(ForeignKey("detentions.id"), unique=True)
    informed_at: Mapped[datetime]
    person_name: Mapped[str] = mapped_column(String(120))
    relationship_to_child: Mapped[str | None] = mapped_column("relationship", String(80))
    detention: Mapped[Detention] = relationship(back_populates="welfare_notification")


class AARequest(db.Model):
    """PACE Code C 3.15: a request for an appropriate adult, and its arrival or cancellation."""
    __tablename__ = "aa_requests"
    __table_args__ = (
        CheckConstraint("arrived_at IS NULL OR cancelled_at IS NULL", name="arrived_or_cancelled"),
        # The performance pack reads each child's AA times from this index alone (migration 0004).
        Index("ix_aa_requests_detention_times", "detention_id", "arrived_at", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = _detention_fk()
    requested_at: Mapped[datetime]
    aa_type: Mapped[str] = mapped_column(String(40))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    arrived_at: Mapped[datetime | None]
    aa_name: Mapped[str | None] = mapped_column(String(120))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    detention: Mapped[Detention] = relationship(back_populates="aa_requests")

    @property
    def open(self):
        return self.arrived_at is None and self.cancelled_at is None


class Review(db.Model):
    """A PACE review of detention (s.40, s.40A, s.45A; Code C 15)."""
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = _detention_fk()
    due_at: Mapped[datetime]  # when this review fell due, fixed when it was recorded
    held_at: Mapped[datetime]
    reviewer_name: Mapped[str] = mapped_column(String(120))
    reviewer_rank: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(20))
    remote_reason: Mapped[str | None] = mapped_column(Text)
    child_seen: Mapped[bool] = mapped_column(default=False)
    aa_present: Mapped[bool] = mapped_column(default=False)
    solicitor_present: Mapped[bool] = mapped_column(default=False)
    representations: Mapped[str | None] = mapped_column(Text)
    investigation_progress_considered: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str] = mapped_column(String(30))
    rationale: Mapped[str | None] = mapped_column(Text)
    detention: Mapped[Detention] = relationship(back_populates="reviews")

    @property
    def late(self):
        return self.held_at > self.due_at


class Referral(db.Model):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = _detention_fk()
    service: Mapped[str] = mapped_column(String(40))
    made_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
    external_reference: Mapped[str | None] = mapped_column(String(80))
    detention: Mapped[Detention] = relationship(back_populates="referrals")


class Charge(db.Model):
    __tablename__ = "charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = mapped_column(ForeignKey("detentions.id"), unique=True)
    charged_at: Mapped[datetime]
    offences: Mapped[str] = mapped_column(Text)
    bail: Mapped[str] = mapped_column(String(20))
    refusal_grounds: Mapped[str | None] = mapped_column(Text)
    detention: Mapped[Detention] = relationship(back_populates="charge")


class AccommodationRequest(db.Model):
    """PACE s.38(6): a request to the local authority to accommodate a charged child."""
    __tablename__ = "accommodation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = _detention_fk()
    requested_at: Mapped[datetime]
    type: Mapped[str] = mapped_column(String(20))
    local_authority: Mapped[str] = mapped_column(String(120))
    la_contact: Mapped[str | None] = mapped_column(String(120))
    responded_at: Mapped[datetime | None]
    la_response: Mapped[str | None] = mapped_column(String(20))
    transferred_at: Mapped[datetime | None]
    detention: Mapped[Detention] = relationship(back_populates="accommodation_requests")


class Certificate(db.Model):
    """The juvenile detention certificate (s.38(6)): why the child was not transferred."""
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = mapped_column(ForeignKey("detentions.id"), unique=True)
    issued_at: Mapped[datetime]
    ground: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[str] = mapped_column(Text)
    issued_by: Mapped[str] = mapped_column(String(120))
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None]
    detention: Mapped[Detention] = relationship(back_populates="certificate")


class StripSearch(db.Model):
    """Code C Annex A: a strip search, and whether an appropriate adult was present."""
    __tablename__ = "strip_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = _detention_fk()
    searched_at: Mapped[datetime]
    aa_present: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text)
    urgent_without_aa_reason: Mapped[str | None] = mapped_column(Text)
    detention: Mapped[Detention] = relationship(back_populates="strip_searches")
