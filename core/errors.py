"""The API's error contract (SPEC §5) and the domain errors services raise.

Every error body is {"error": {"code", "message", "fields"}}. Services raise the domain
errors below *before* writing anything, so a refused request changes nothing.
"""
import marshmallow as ma
from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    status = 422
    code = "validation_error"

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Invalid(DomainError):
    """The request breaks a rule of SPEC §3 (422)."""


class Conflict(DomainError):
    """The request clashes with what is already recorded (409)."""
    status = 409
    code = "conflict"


class NotFound(DomainError):
    status = 404
    code = "not_found"


def invalid(field, message):
    return Invalid(message, {field: [message]})


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
              422: "validation_error", 429: "too_many_requests"}


def error_body(status, message, fields=None, code=None):
    return {"error": {"code": code or HTTP_CODES.get(status, "error"), "message": message,
                      "fields": fields or {}}}


class ErrorDetailOut(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "e.g. validation_error, not_found, conflict"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for a person to read"})
    fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(), required=True,
                            metadata={"description": "Messages per field: {field: [message, ...]}"})


class ErrorOut(ma.Schema):
    """Every error answer of the API (documents `error_body`; the OpenAPI document uses it)."""
    error = ma.fields.Nested(ErrorDetailOut, required=True)


def json_error(status, message, fields=None, code=None):
    response = jsonify(error_body(status, message, fields, code))
    response.status_code = status
    return response


def wants_json():
    return request.path.startswith("/api/") or request.path.startswith("/webhooks/") \
        or request.accept_mimetypes.best == "application/json"


def flatten_webargs(messages):
    """webargs nests messages by location ({"json": {"field": [...]}}); the contract does not."""
    fields = {}
    for location, by_field in (messages or {}).items():
        if not isinstance(by_field, dict):
            fields[location] = by_field if isinstance(by_field, list) else [str(by_field)]
            continue
        for field, field_messages in by_field.items():
            fields[field] = field_messages if isinstance(field_messages, (list, dict)) else [str(field_messages)]
    return fields


def handle_http_exception(error):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    fields = flatten_webargs(data.get("messages"))
    message = data.get("message") or error.description or error.name
    if status == 422 and not data.get("message"):
        message = "Some fields are not valid: " + ", ".join(sorted(fields)) if fields else "The request is not valid"
    if wants_json():
        response = json_error(status, message, fields)
    else:
        response = render_template("error.html", status=status, title=error.name, message=message), status
    return response


def handle_domain_error(error):
    from core.db import db
    db.session.rollback()  # whatever the service had begun is discarded: a refusal changes nothing
    if wants_json():
        return json_error(error.status, error.message, error.fields, error.code)
    return render_template("error.html", status=error.status, title="Not recorded",
                           message=error.message), error.status


def register(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
