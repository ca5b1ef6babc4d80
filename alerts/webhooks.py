"""Twilio's callbacks: delivery statuses and replies. Signed by Twilio, not by a session.

Each request must carry a valid `X-Twilio-Signature` for PUBLIC_BASE_URL + path, made with
our auth token; anything else is refused with 403 before it is read.
"""
from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from alerts import replies
from auth.access import public
from core.db import db

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


def _signed():
    token, base = current_app.config["TWILIO_AUTH_TOKEN"], current_app.config["PUBLIC_BASE_URL"]
    signature = request.headers.get("X-Twilio-Signature")
    if not (token and base and signature):
        return False
    url = base.rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode()
    return RequestValidator(token).validate(url, request.form, signature)


def _required(name):
    value = request.form.get(name, "").strip()
    if not value:
        abort(400, f"{name} is missing")
    return value


@bp.post("/twilio/status")
@public
def twilio_status():
    if not _signed():
        abort(403, "The Twilio signature is missing or wrong.")
    replies.record_status(db.session, _required("MessageSid"), _required("MessageStatus"),
                          request.form.get("ErrorCode") or None)
    db.session.commit()
    return Response(status=204)


@bp.post("/twilio/inbound")
@public
def twilio_inbound():
    if not _signed():
        abort(403, "The Twilio signature is missing or wrong.")
    answer = replies.handle_inbound(db.session, _required("MessageSid"), _required("From"),
                                    request.form.get("Body", ""), current_app.config["CLOCK"]())
    db.session.commit()
    twiml = MessagingResponse()
    if answer:
        twiml.message(answer)
    return Response(str(twiml), mimetype="application/xml")
