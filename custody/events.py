"""Recording the events of a child's custody (SPEC §3.1–3.7). Plain functions over a session.

Each validates everything before it writes, writes the event and its audit entry, and tells
the escalation engine that the child's facts changed. The caller commits.
"""
from core.errors import Conflict, NotFound, invalid
from custody import audit, rules
from custody.models import (
    AARequest,
    AccommodationRequest,
    Certificate,
    Charge,
    Referral,
    Review,
    StripSearch,
    WelfareNotification,
    overnight,
)
from custody.signals import facts_changed


def _at(data, field, detention, now):
    """The event's time: as given, or now; checked against the child's time in custody."""
    value = data.get(field) or now
    rules.check_event_time(field, value, detention, now)
    return value


def _created(session, event, entity, detention, user, now, occurred_at, fields, action="recorded"):
    session.add(event)
    session.flush()
    audit.record(session, user=user, now=now, entity=entity, entity_id=event.id, action=action,
                 detention_id=detention.id, occurred_at=occurred_at, after=audit.snapshot(event, fields))
    facts_changed.send(detention, session=session, now=now)
    return event


def _changed(session, event, entity, detention, user, now, occurred_at, before, fields, action):
    _, after = audit.changes(before, audit.snapshot(event, fields))
    audit.record(session, user=user, now=now, entity=entity, entity_id=event.id, action=action,
                 detention_id=detention.id, occurred_at=occurred_at, before=None, after=after)
    facts_changed.send(detention, session=session, now=now)
    return event


def get_event(session, model, event_id, label):
    event = session.get(model, event_id)
    if event is None:
        raise NotFound(f"There is no {label} {event_id}.")
    return event


# -- 3.1 Welfare notification (Code C 3.13) ----------------------------------------------

def notify_welfare(session, detention, data, user, now):
    if detention.welfare_notification is not None:
        raise Conflict("The person responsible for the child's welfare is already recorded as informed.")
    informed_at = _at(data, "informed_at", detention, now)
    event = WelfareNotification(detention=detention, informed_at=informed_at, person_name=data["person_name"],
                                relationship_to_child=data.get("relationship"))
    return _created(session, event, "welfare_notification", detention, user, now, informed_at,
                    ("informed_at", "person_name", "relationship_to_child"))


# -- 3.2 Appropriate adults (Code C 3.15) -------------------------------------------------

AA_FIELDS = ("requested_at", "aa_type", "contact_name", "notes")


def request_aa(session, detention, data, user, now):
    requested_at = _at(data, "requested_at", detention, now)
    event = AARequest(detention=detention, requested_at=requested_at, aa_type=data["aa_type"],
                      contact_name=data.get("contact_name"), notes=data.get("notes"))
    return _created(session, event, "aa_request", detention, user, now, requested_at, AA_FIELDS, "requested")


def _open_request(aa_request):
    if aa_request.arrived_at is not None:
        raise Conflict("This appropriate adult has already arrived.")
    if aa_request.cancelled_at is not None:
        raise Conflict("This request was cancelled; make a new request.")


def record_aa_arrival(session, aa_request, data, user, now):
    detention = aa_request.detention
    _open_request(aa_request)
    arrived_at = _at(data, "arrived_at", detention, now)
    if arrived_at < aa_request.requested_at:
        raise invalid("arrived_at", "The appropriate adult cannot arrive before they were requested.")
    before = audit.snapshot(aa_request, ("arrived_at", "aa_name"))
    aa_request.arrived_at, aa_request.aa_name = arrived_at, data["aa_name"]
    return _changed(session, aa_request, "aa_request", detention, user, now, arrived_at, before,
                    ("arrived_at", "aa_name"), "arrived")


def cancel_aa_request(session, aa_request, data, user, now):
    detention = aa_request.detention
    _open_request(aa_request)
    cancelled_at = _at(data, "cancelled_at", detention, now)
    if cancelled_at < aa_request.requested_at:
        raise invalid("cancelled_at", "A request cannot be cancelled before it was made.")
    before = audit.snapshot(aa_request, ("cancelled_at", "cancel_reason"))
    aa_request.cancelled_at, aa_request.cancel_reason = cancelled_at, data["reason"]
    return _changed(session, aa_request, "aa_request", detention, user, now, cancelled_at, before,
                    ("cancelled_at", "cancel_reason"), "cancelled")


# -- 3.3 PACE reviews (s.40, s.40A, s.45A) ------------------------------------------------

REVIEW_FIELDS = ("due_at", "held_at", "reviewer_name", "reviewer_rank", "kind", "mode", "remote_reason",
                 "child_seen", "aa_present", "solicitor_present", "representations",
                 "investigation_progress_considered", "outcome", "rationale")


def record_review(session, detention, data, user, now):
    held_at = _at(data, "held_at", detention, now)
    if data["kind"] == "post_charge" and data["mode"] == "telephone":
        raise invalid("mode", "A review after charge cannot be held by telephone (PACE s.40A allows "
                              "telephone reviews only before charge).")
    if data["mode"] != "in_person" and not data.get("remote_reason"):
        raise invalid("remote_reason", "Say why the review was not held in the child's presence.")
    if detention.reviews and held_at <= detention.reviews[-1].held_at:
        raise invalid("held_at", "A later review is already recorded; reviews are recorded in the order held.")
    fields = {k: v for k, v in data.items() if k != "held_at"}
    event = Review(detention=detention, held_at=held_at, due_at=detention.review_due_after(len(detention.reviews)),
                   **fields)
    return _created(session, event, "review", detention, user, now, held_at, REVIEW_FIELDS)


# -- 3.4 Referrals ------------------------------------------------------------------------

def refer(session, detention, data, user, now):
    made_at = _at(data, "made_at", detention, now)
    event = Referral(detention=detention, made_at=made_at, service=data["service"], reason=data.get("reason"),
                     external_reference=data.get("external_reference"))
    return _created(session, event, "referral", detention, user, now, made_at,
                    ("service", "made_at", "reason", "external_reference"))


# -- 3.5 Charge, bail, accommodation and the certificate (s.38(6)) -----------------------

def charge(session, detention, data, user, now):
    if detention.charge is not None:
        raise Conflict("A charge is already recorded for this detention.")
    charged_at = _at(data, "charged_at", detention, now)
    if data["bail"] == "refused" and not data.get("refusal_grounds"):
        raise invalid("refusal_grounds", "Give the grounds for refusing bail (PACE s.38(1)).")
    event = Charge(detention=detention, charged_at=charged_at, offences=data["offences"], bail=data["bail"],
                   refusal_grounds=data.get("refusal_grounds"))
    return _created(session, event, "charge", detention, user, now, charged_at,
                    ("charged_at", "offences", "bail", "refusal_grounds"))


def request_accommodation(session, detention, data, user, now):
    if not detention.bail_refused:
        raise invalid("type", "Local-authority accommodation is requested only after bail is refused.")
    requested_at = _at(data, "requested_at", detention, now)
    if requested_at < detention.charge.charged_at:
        raise invalid("requested_at", "The request is before the charge.")
    if data["type"] == "secure" and detention.age < 12:
        raise invalid("type", "Secure accommodation cannot be requested for a child under 12.")
    event = AccommodationRequest(detention=detention, requested_at=requested_at, type=data["type"],
                                 local_authority=data["local_authority"], la_contact=data.get("la_contact"))
    return _created(session, event, "accommodation_request", detention, user, now, requested_at,
                    ("requested_at", "type", "local_authority", "la_contact"), "requested")


def record_la_response(session, request, data, user, now):
    """The local authority's answer, and the transfer when it happens at once.

    The transfer usually comes later than an acceptance (a bed is found, then transport): a
    second call with only `transferred_at` records it (`record_transfer`).
    """
    detention = request.detention
    if request.responded_at is not None:
        return record_transfer(session, request, data, user, now)
    if data.get("la_response") is None:
        raise invalid("la_response", "Give the local authority's response.")
    responded_at = _at(data, "responded_at", detention, now)
    if responded_at < request.requested_at:
        raise invalid("responded_at", "The response is before the request.")
    transferred_at = data.get("transferred_at")
    if transferred_at is not None:
        rules.check_event_time("transferred_at", transferred_at, detention, now)
        if data["la_response"] != "accepted":
            raise invalid("transferred_at", "A transfer needs the local authority to have accepted.")
        if transferred_at < responded_at:
            raise invalid("transferred_at", "The transfer is before the response.")
    fields = ("responded_at", "la_response", "transferred_at")
    before = audit.snapshot(request, fields)
    request.responded_at, request.la_response, request.transferred_at = \
        responded_at, data["la_response"], transferred_at
    return _changed(session, request, "accommodation_request", detention, user, now, responded_at, before,
                    fields, "answered")


def record_transfer(session, request, data, user, now):
    """The child's transfer to the accommodation the local authority accepted earlier."""
    detention = request.detention
    if request.la_response != "accepted" or request.transferred_at is not None:
        raise Conflict("The local authority's response is already recorded"
                       + (" and the transfer with it." if request.transferred_at else
                          f" ({request.la_response.replace('_', ' ')}); there is no transfer to record."))
    for field in ("la_response", "responded_at"):
        if data.get(field) is not None and data[field] != getattr(request, field):
            raise Conflict("The local authority's response is already recorded; send only `transferred_at`.",
                           {field: ["already recorded; it cannot be changed here"]})
    transferred_at = data.get("transferred_at")
    if transferred_at is None:
        raise invalid("transferred_at", "Give the time the child was transferred.")
    rules.check_event_time("transferred_at", transferred_at, detention, now)
    if transferred_at < request.responded_at:
        raise invalid("transferred_at", "The transfer is before the response.")
    before = audit.snapshot(request, ("transferred_at",))
    request.transferred_at = transferred_at
    return _changed(session, request, "accommodation_request", detention, user, now, transferred_at, before,
                    ("transferred_at",), "transferred")


CERTIFICATE_FIELDS = ("issued_at", "ground", "reasons", "issued_by", "approved_by", "approved_at")


def issue_certificate(session, detention, data, user, now):
    if detention.certificate is not None:
        raise Conflict("A certificate is already issued for this detention.")
    if not detention.bail_refused:
        raise invalid("ground", "A certificate explains why a child refused bail was not transferred; "
                                "bail has not been refused.")
    issued_at = _at(data, "issued_at", detention, now)
    if data["ground"] == "no_secure_accommodation":
        if detention.age < 12:
            raise invalid("ground", "No secure accommodation is a ground only for a child aged 12 or over.")
        if not any(r.type == "secure" for r in detention.accommodation_requests):
            raise invalid("ground", "No secure accommodation needs a secure accommodation request on record.")
    approved_by, approved_at = data.get("approved_by"), data.get("approved_at")
    if approved_by:
        approved_at = approved_at or now
        _check_approval(detention, user, approved_at, issued_at, now)
    event = Certificate(detention=detention, issued_at=issued_at, ground=data["ground"], reasons=data["reasons"],
                        issued_by=data["issued_by"], approved_by=approved_by, approved_at=approved_at)
    return _created(session, event, "certificate", detention, user, now, issued_at, CERTIFICATE_FIELDS, "issued")


def _check_approval(detention, user, approved_at, issued_at, now):
    if user is None or user.role != "inspector":
        raise invalid("approved_by", "A certificate is approved by an inspector.")
    rules.check_event_time("approved_at", approved_at, detention, now)
    if approved_at < issued_at:
        raise invalid("approved_at", "The approval is before the certificate was issued.")


def approve_certificate(session, detention, data, user, now):
    certificate = detention.certificate
    if certificate is None:
        raise NotFound("No certificate is issued for this detention.")
    if certificate.approved_at is not None:
        raise Conflict("The certificate is already approved.")
    approved_at = data.get("approved_at") or now
    _check_approval(detention, user, approved_at, certificate.issued_at, now)
    before = audit.snapshot(certificate, ("approved_by", "approved_at"))
    certificate.approved_by, certificate.approved_at = data["approved_by"], approved_at
    return _changed(session, certificate, "certificate", detention, user, now, approved_at, before,
                    ("approved_by", "approved_at"), "approved")


# -- 3.6 Strip search (Code C Annex A) ----------------------------------------------------

def record_strip_search(session, detention, data, user, now):
    searched_at = _at(data, "searched_at", detention, now)
    if not data["aa_present"] and not data.get("urgent_without_aa_reason"):
        raise invalid("urgent_without_aa_reason", "Without an appropriate adult present, record why the "
                                                  "search was urgent (Code C Annex A 11(c)).")
    event = StripSearch(detention=detention, searched_at=searched_at, aa_present=data["aa_present"],
                        reason=data["reason"], urgent_without_aa_reason=data.get("urgent_without_aa_reason"))
    return _created(session, event, "strip_search", detention, user, now, searched_at,
                    ("searched_at", "aa_present", "reason", "urgent_without_aa_reason"))


# -- 3.7 Release --------------------------------------------------------------------------

def release(session, detention, data, user, now):
    if detention.released_at is not None:
        raise Conflict("The child is already recorded as released.")
    released_at = _at(data, "released_at", detention, now)
    latest = max(detention.event_instants(), default=None)
    if latest is not None and released_at < latest:
        raise invalid("released_at", "Events are recorded after this time; the release cannot be before them.")
    detention.released_at, detention.release_outcome = released_at, data["outcome"]
    detention.status = "released"
    detention.overnight = overnight(detention.arrived_at, released_at, detention.suite.zone)
    audit.record(session, user=user, now=now, entity="detention", entity_id=detention.id, action="released",
                 detention_id=detention.id, occurred_at=released_at,
                 after={"released_at": audit.jsonable(released_at), "outcome": data["outcome"]})
    facts_changed.send(detention, session=session, now=now)
    return detention
