"""/api/v1 endpoints for the events of a child's custody (SPEC §5). Each parses, calls the
service in custody.events, commits, and returns what was recorded."""
from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint

from auth.access import RECORD, REVIEW, allow
from core.db import db
from custody import events, schemas
from custody.booking import get_detention
from custody.models import AARequest, AccommodationRequest
from custody.record import DetentionRecord

bp = Blueprint("custody_events_api", __name__, url_prefix="/api/v1", description="Events of a child's custody")


def _now():
    return current_app.config["CLOCK"]()


def _record_event(service, detention_id, data):
    """Lock the detention row so two events for one child are recorded one after the other."""
    detention = get_detention(db.session, detention_id, for_update=True)
    event = service(db.session, detention, data, current_user, _now())
    db.session.commit()
    return event


def _update_event(service, model, label, event_id, data):
    event = events.get_event(db.session, model, event_id, label)
    get_detention(db.session, event.detention_id, for_update=True)
    db.session.refresh(event)
    result = service(db.session, event, data, current_user, _now())
    db.session.commit()
    return result


@bp.post("/detentions/<int:detention_id>/welfare-notification")
@allow(RECORD)
@bp.arguments(schemas.WelfareNotificationIn)
@bp.response(201, schemas.WelfareNotificationOut)
def welfare_notification(data, detention_id):
    """Record that the person responsible for the child's welfare was told (Code C 3.13)"""
    return _record_event(events.notify_welfare, detention_id, data)


@bp.post("/detentions/<int:detention_id>/aa-requests")
@allow(RECORD)
@bp.arguments(schemas.AARequestIn)
@bp.response(201, schemas.AARequestOut)
def aa_request(data, detention_id):
    """Request an appropriate adult (Code C 3.15); an aa_scheme request calls out the scheme"""
    return _record_event(events.request_aa, detention_id, data)


@bp.post("/aa-requests/<int:aa_request_id>/arrival")
@allow(RECORD)
@bp.arguments(schemas.AAArrivalIn)
@bp.response(200, schemas.AARequestOut)
def aa_arrival(data, aa_request_id):
    """Record the appropriate adult's arrival"""
    return _update_event(events.record_aa_arrival, AARequest, "AA request", aa_request_id, data)


@bp.post("/aa-requests/<int:aa_request_id>/cancel")
@allow(RECORD)
@bp.arguments(schemas.AACancelIn)
@bp.response(200, schemas.AARequestOut)
def aa_cancel(data, aa_request_id):
    """Cancel an AA request (e.g. the parent refused); a new request follows"""
    return _update_event(events.cancel_aa_request, AARequest, "AA request", aa_request_id, data)


@bp.post("/detentions/<int:detention_id>/reviews")
@allow(REVIEW)
@bp.arguments(schemas.ReviewIn)
@bp.response(201, schemas.ReviewOut)
def review(data, detention_id):
    """Record a PACE review of detention (inspector)"""
    return _record_event(events.record_review, detention_id, data)


@bp.post("/detentions/<int:detention_id>/referrals")
@allow(RECORD)
@bp.arguments(schemas.ReferralIn)
@bp.response(201, schemas.ReferralOut)
def referral(data, detention_id):
    """Record a referral (children's social care, liaison and diversion, ...)"""
    return _record_event(events.refer, detention_id, data)


@bp.post("/detentions/<int:detention_id>/charge")
@allow(RECORD)
@bp.arguments(schemas.ChargeIn)
@bp.response(201, schemas.ChargeOut)
def charge(data, detention_id):
    """Record the charge and the bail decision"""
    return _record_event(events.charge, detention_id, data)


@bp.post("/detentions/<int:detention_id>/accommodation-requests")
@allow(RECORD)
@bp.arguments(schemas.AccommodationRequestIn)
@bp.response(201, schemas.AccommodationRequestOut)
def accommodation_request(data, detention_id):
    """Ask the local authority to accommodate a child refused bail (PACE s.38(6))"""
    return _record_event(events.request_accommodation, detention_id, data)


@bp.post("/accommodation-requests/<int:request_id>/response")
@allow(RECORD)
@bp.arguments(schemas.AccommodationResponseIn)
@bp.response(200, schemas.AccommodationRequestOut)
def accommodation_response(data, request_id):
    """Record the local authority's response, and the transfer"""
    return _update_event(events.record_la_response, AccommodationRequest, "accommodation request",
                         request_id, data)


@bp.post("/detentions/<int:detention_id>/certificate")
@allow(RECORD)
@bp.arguments(schemas.CertificateIn)
@bp.response(201, schemas.CertificateOut)
def certificate(data, detention_id):
    """Issue the juvenile detention certificate (s.38(6))"""
    return _record_event(events.issue_certificate, detention_id, data)


@bp.post("/detentions/<int:detention_id>/certificate/approval")
@allow(REVIEW)
@bp.arguments(schemas.CertificateApprovalIn)
@bp.response(200, schemas.CertificateOut)
def certificate_approval(data, detention_id):
    """Approve the certificate (inspector)"""
    return _record_event(events.approve_certificate, detention_id, data)


@bp.post("/detentions/<int:detention_id>/strip-searches")
@allow(RECORD)
@bp.arguments(schemas.StripSearchIn)
@bp.response(201, schemas.StripSearchOut)
def strip_search(data, detention_id):
    """Record a strip search (Code C Annex A)"""
    return _record_event(events.record_strip_search, detention_id, data)


@bp.post("/detentions/<int:detention_id>/release")
@allow(RECORD)
@bp.arguments(schemas.ReleaseIn)
@bp.response(200, schemas.DetentionRecordOut)
def release(data, detention_id):
    """Release the child; closes every clock"""
    detention = _record_event(events.release, detention_id, data)
    return DetentionRecord(detention, _now(), db.session)
