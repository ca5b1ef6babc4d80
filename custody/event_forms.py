"""Web forms for the events of a child's custody (SPEC §3.1–3.7).

Each page loads the posted form through the API's own input schema and records it with the
service the API calls (custody.events), so every rule lives in one place and a refusal reads
the same on the form as in the API. A refused form is shown again with its messages (422)
and nothing is written.
"""
from dataclasses import dataclass, field
from typing import Callable

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from auth.access import RECORD, REVIEW, allow
from core import forms
from core.db import db
from core.errors import NotFound
from custody import events, schemas
from custody.booking import get_detention
from custody.models import AARequest, AccommodationRequest

bp = Blueprint("custody_forms", __name__)


@dataclass(frozen=True)
class EventForm:
    title: str
    fields: str                     # the template with this form's fields
    schema: type
    service: Callable
    section: str                    # the record's section to go back to
    done: str                       # what the flash says once recorded
    button: str = "Record"
    times: tuple = ()               # instants pre-filled with now, local time
    missing: dict = field(default_factory=dict)   # the words for a required field left empty
    defaults: Callable = lambda detention, target, user: {}


def _now():
    return current_app.config["CLOCK"]()


def _locked_target(detention_id, model, label, target_id):
    """An AA or accommodation request of this child, with the child's row locked for the write."""
    target = events.get_event(db.session, model, target_id, label)
    if target.detention_id != detention_id:
        raise NotFound(f"There is no {label} {target_id} for this detention.")
    detention = get_detention(db.session, detention_id, for_update=request.method == "POST")
    db.session.refresh(target)
    return detention, target


def event_page(form, detention_id, target=None):
    if target is None:
        detention = get_detention(db.session, detention_id, for_update=request.method == "POST")
    else:
        detention, target = _locked_target(detention_id, *target)
    zone, now = detention.suite.zone, _now()
    errors, status = {}, 200
    if request.method == "POST":
        try:
            data = forms.load_form(form.schema(), request.form, zone, now, form.missing)
            forms.submit(lambda: form.service(db.session, target or detention, data, current_user, now))
            db.session.commit()
            flash(form.done)
            return redirect(url_for("custody.record", detention_id=detention.id, _anchor=form.section))
        except forms.FormErrors as refused:
            errors, status = refused.errors, refused.status
        values = request.form.to_dict()
    else:
        values = form.defaults(detention, target, current_user)
        for name in form.times:
            values.update(forms.defaults_for(name, now, zone))
    return render_template("custody/event_form.html", form=form, detention=detention, target=target,
                           values=values, errors=errors, zone=detention.suite.timezone), status


def _signed_by(key):
    return lambda detention, target, user: {key: user.display_name}


WELFARE = EventForm(
    "Welfare notification", "custody/forms/welfare.html", schemas.WelfareNotificationIn, events.notify_welfare,
    "welfare", "The welfare notification is recorded.", times=("informed_at",),
    missing={"person_name": "Enter the name of the person who was told"})

AA_REQUEST = EventForm(
    "Request an appropriate adult", "custody/forms/aa_request.html", schemas.AARequestIn, events.request_aa,
    "appropriate-adults", "The request for an appropriate adult is recorded.", button="Record the request",
    times=("requested_at",), missing={"aa_type": "Select who was asked to be the appropriate adult"})

AA_ARRIVAL = EventForm(
    "Appropriate adult arrived", "custody/forms/aa_arrival.html", schemas.AAArrivalIn, events.record_aa_arrival,
    "appropriate-adults", "The appropriate adult's arrival is recorded.", button="Record the arrival",
    times=("arrived_at",), missing={"aa_name": "Enter the appropriate adult's name"},
    defaults=lambda detention, target, user: {"aa_name": target.contact_name or ""})

AA_CANCEL = EventForm(
    "Cancel the appropriate adult request", "custody/forms/aa_cancel.html", schemas.AACancelIn,
    events.cancel_aa_request, "appropriate-adults", "The request is cancelled. Make a new request if an "
    "appropriate adult is still needed.", button="Cancel the request", times=("cancelled_at",),
    missing={"reason": "Say why the request is cancelled"})

REVIEW_FORM = EventForm(
    "PACE review of detention", "custody/forms/review.html", schemas.ReviewIn, events.record_review,
    "reviews", "The review is recorded.", button="Record the review", times=("held_at",),
    missing={"reviewer_name": "Enter the reviewing officer's name",
             "kind": "Select whether the review is before or after charge",
             "mode": "Select how the review was held",
             "child_seen": "Select whether the child was seen",
             "outcome": "Select the outcome of the review"},
    defaults=lambda detention, target, user: {
        "reviewer_name": user.display_name, "reviewer_rank": "Inspector",
        "kind": "post_charge" if detention.charge else "pre_charge"})

REFERRAL = EventForm(
    "Make a referral", "custody/forms/referral.html", schemas.ReferralIn, events.refer, "referrals",
    "The referral is recorded.", button="Record the referral", times=("made_at",),
    missing={"service": "Select the service the child was referred to"})

CHARGE = EventForm(
    "Charge and bail", "custody/forms/charge.html", schemas.ChargeIn, events.charge, "charge",
    "The charge and bail decision are recorded.", button="Record the charge", times=("charged_at",),
    missing={"offences": "Enter the offences charged", "bail": "Select whether bail was granted or refused"},
    defaults=lambda detention, target, user: {"offences": detention.offence or ""})

ACCOMMODATION = EventForm(
    "Request local-authority accommodation", "custody/forms/accommodation_request.html",
    schemas.AccommodationRequestIn, events.request_accommodation, "accommodation",
    "The request to the local authority is recorded.", button="Record the request", times=("requested_at",),
    missing={"type": "Select the kind of accommodation requested",
             "local_authority": "Enter the local authority asked"})

LA_RESPONSE = EventForm(
    "Local authority's response", "custody/forms/la_response.html", schemas.AccommodationResponseIn,
    events.record_la_response, "accommodation", "The local authority's response is recorded.",
    button="Record the response", times=("responded_at",),
    missing={"la_response": "Select the local authority's response"})

TRANSFER = EventForm(
    "Transfer to local-authority accommodation", "custody/forms/transfer.html", schemas.AccommodationTransferIn,
    events.record_transfer, "accommodation", "The transfer is recorded.", button="Record the transfer",
    times=("transferred_at",))

CERTIFICATE = EventForm(
    "Juvenile detention certificate", "custody/forms/certificate.html", schemas.CertificateIn,
    events.issue_certificate, "certificate", "The certificate is issued. Print it for the court.",
    button="Issue the certificate", times=("issued_at",),
    missing={"ground": "Select the ground for the certificate",
             "reasons": "Give the circumstances that stop the transfer",
             "issued_by": "Enter the custody officer's name"},
    defaults=_signed_by("issued_by"))

CERTIFICATE_APPROVAL = EventForm(
    "Approve the certificate", "custody/forms/certificate_approval.html", schemas.CertificateApprovalIn,
    events.approve_certificate, "certificate", "The certificate is approved.", button="Approve the certificate",
    times=("approved_at",), missing={"approved_by": "Enter the approving inspector's name"},
    defaults=_signed_by("approved_by"))

STRIP_SEARCH = EventForm(
    "Strip search", "custody/forms/strip_search.html", schemas.StripSearchIn, events.record_strip_search,
    "strip-searches", "The strip search is recorded.", button="Record the strip search", times=("searched_at",),
    missing={"aa_present": "Select whether an appropriate adult was present",
             "reason": "Give the reason for the search"})

RELEASE = EventForm(
    "Release", "custody/forms/release.html", schemas.ReleaseIn, events.release, "release",
    "The release is recorded; every clock for this child has stopped.", button="Record the release",
    times=("released_at",), missing={"outcome": "Select the outcome"})

AA_REQUEST_TARGET = (AARequest, "AA request")
ACCOMMODATION_TARGET = (AccommodationRequest, "accommodation request")
BOTH = ["GET", "POST"]


@bp.route("/detentions/<int:detention_id>/welfare-notification", methods=BOTH)
@allow(RECORD)
def welfare_notification(detention_id):
    return event_page(WELFARE, detention_id)


@bp.route("/detentions/<int:detention_id>/aa-requests/new", methods=BOTH)
@allow(RECORD)
def aa_request(detention_id):
    return event_page(AA_REQUEST, detention_id)


@bp.route("/detentions/<int:detention_id>/aa-requests/<int:request_id>/arrival", methods=BOTH)
@allow(RECORD)
def aa_arrival(detention_id, request_id):
    return event_page(AA_ARRIVAL, detention_id, (*AA_REQUEST_TARGET, request_id))


@bp.route("/detentions/<int:detention_id>/aa-requests/<int:request_id>/cancel", methods=BOTH)
@allow(RECORD)
def aa_cancel(detention_id, request_id):
    return event_page(AA_CANCEL, detention_id, (*AA_REQUEST_TARGET, request_id))


@bp.route("/detentions/<int:detention_id>/reviews/new", methods=BOTH)
@allow(REVIEW)
def review(detention_id):
    return event_page(REVIEW_FORM, detention_id)


@bp.route("/detentions/<int:detention_id>/referrals/new", methods=BOTH)
@allow(RECORD)
def referral(detention_id):
    return event_page(REFERRAL, detention_id)


@bp.route("/detentions/<int:detention_id>/charge", methods=BOTH)
@allow(RECORD)
def charge(detention_id):
    return event_page(CHARGE, detention_id)


@bp.route("/detentions/<int:detention_id>/accommodation-requests/new", methods=BOTH)
@allow(RECORD)
def accommodation_request(detention_id):
    return event_page(ACCOMMODATION, detention_id)


@bp.route("/detentions/<int:detention_id>/accommodation-requests/<int:request_id>/response", methods=BOTH)
@allow(RECORD)
def accommodation_response(detention_id, request_id):
    return event_page(LA_RESPONSE, detention_id, (*ACCOMMODATION_TARGET, request_id))


@bp.route("/detentions/<int:detention_id>/accommodation-requests/<int:request_id>/transfer", methods=BOTH)
@allow(RECORD)
def accommodation_transfer(detention_id, request_id):
    return event_page(TRANSFER, detention_id, (*ACCOMMODATION_TARGET, request_id))


@bp.route("/detentions/<int:detention_id>/certificate/new", methods=BOTH)
@allow(RECORD)
def certificate(detention_id):
    return event_page(CERTIFICATE, detention_id)


@bp.route("/detentions/<int:detention_id>/certificate/approval", methods=BOTH)
@allow(REVIEW)
def certificate_approval(detention_id):
    if get_detention(db.session, detention_id).certificate is None:
        raise NotFound("No certificate is issued for this detention, so there is nothing to approve.")
    return event_page(CERTIFICATE_APPROVAL, detention_id)


@bp.route("/detentions/<int:detention_id>/strip-searches/new", methods=BOTH)
@allow(RECORD)
def strip_search(detention_id):
    return event_page(STRIP_SEARCH, detention_id)


@bp.route("/detentions/<int:detention_id>/release", methods=BOTH)
@allow(RECORD)
def release(detention_id):
    return event_page(RELEASE, detention_id)
