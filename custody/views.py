"""Web pages for custody sergeants: the board, booking a child in, the record, the certificate."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from auth.access import READ, RECORD, allow
from core import forms
from core.db import db
from core.errors import NotFound
from core.web import local_time, nav_links
from custody import booking, schemas
from custody.board import SORTS, board_rows
from custody.labels import LABELS, choices, label
from custody.models import Suite
from custody.record import DetentionRecord

bp = Blueprint("custody", __name__)

nav_links.extend([("custody.board", "Custody board", READ), ("custody.book", "Book a child in", RECORD)])

NEED_LABELS = LABELS["need"]
ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def audit_value(value, zone):
    """A value from the audit trail as a person reads it: instants in the suite's local time."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, str) and ISO_INSTANT.match(value):
        return local_time(datetime.fromisoformat(value), zone)
    return value


bp.add_app_template_filter(label, "label")
bp.add_app_template_filter(audit_value, "audit_value")
bp.add_app_template_global(choices, "choices")


def now():
    return current_app.config["CLOCK"]()


def active_suites():
    return db.session.scalars(select(Suite).where(Suite.active).order_by(Suite.name)).all()


def _zone_for(form):
    suite = db.session.scalar(select(Suite).where(Suite.code == (form.get("suite") or "")))
    return suite.zone if suite else ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])


def _board_context():
    suite_code = request.args.get("suite") or None
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "aa_wait"
    current = now()
    # Each child links to its record: the path is built once and the id appended, because
    # url_for for each of 200 children was a third of the board's rendering.
    record_path = url_for("custody.record", detention_id=0).removesuffix("0")
    return {"rows": board_rows(db.session, current, suite_code, sort), "suites": active_suites(),
            "suite_code": suite_code, "sort": sort, "sorts": SORTS, "now": current, "record_path": record_path,
            "aa_target": current_app.config["AA_TARGET_MINUTES"]}


@bp.route("/")
@allow(READ)
def board():
    return render_template("custody/board.html", **_board_context())


@bp.route("/board/live")
@allow(READ)
def board_live():
    """The board's table alone: htmx swaps it in every 30 seconds, without reloading the page."""
    return render_template("custody/_board_live.html", **_board_context())


def _booking_payload(form, zone, current):
    payload = {key: form.get(key) or None for key in (
        "suite", "custody_record_number", "forename", "surname", "sex", "ethnicity", "offence",
        "arresting_officer")}
    payload["looked_after"] = forms.checkbox(form, "looked_after")
    payload["needs"] = form.getlist("needs")
    if form.get("date_of_birth"):
        payload["date_of_birth"] = _iso_date(form["date_of_birth"])
    if form.get("apparent_age"):
        payload["apparent_age"] = form["apparent_age"]
    payload["arrived_at"] = forms.local_instant(form, "arrived_at", zone, current) or current.isoformat()
    for name in ("arrested_at", "detention_authorised_at"):
        value = forms.local_instant(form, name, zone, current)
        if value:
            payload[name] = value
    return {k: v for k, v in payload.items() if v is not None}


def _iso_date(text):
    day, _, rest = text.strip().partition("/")
    month, _, year = rest.partition("/")
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        raise forms.FormErrors({"date_of_birth": ["Enter the date of birth as DD/MM/YYYY."]})
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


@bp.route("/detentions/new", methods=["GET", "POST"])
@allow(RECORD)
def book():
    current = now()
    zone = _zone_for(request.form) if request.method == "POST" else ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])
    values = request.form.to_dict() if request.method == "POST" else forms.defaults_for("arrived_at", current, zone)
    errors = {}
    if request.method == "POST":
        try:
            data = forms.load(schemas.DetentionIn(), _booking_payload(request.form, zone, current))
            detention = forms.submit(lambda: booking.book(db.session, data, current_user, current))
            db.session.commit()
            flash(f"{detention.forename} {detention.surname} booked in as {detention.reference}.")
            return redirect(url_for("custody.record", detention_id=detention.id))
        except forms.FormErrors as refused:
            errors = refused.errors
    return render_template("custody/book.html", values=values, errors=errors, suites=active_suites(),
                           needs=NEED_LABELS, selected_needs=request.form.getlist("needs")), 422 if errors else 200


@bp.route("/detentions/<int:detention_id>")
@allow(READ)
def record(detention_id):
    detention = booking.get_detention(db.session, detention_id)
    return render_template("custody/record.html", record=DetentionRecord(detention, now(), db.session),
                           detention=detention, zone=detention.suite.timezone, now=now())


@bp.route("/detentions/<int:detention_id>/amend", methods=["GET", "POST"])
@allow(RECORD)
def amend(detention_id):
    detention = booking.get_detention(db.session, detention_id)
    zone = detention.suite.zone
    errors = {}
    if request.method == "POST":
        try:
            payload = {k: request.form.get(k, "") for k in ("forename", "surname", "custody_record_number", "offence",
                                                     "arresting_officer", "sex", "ethnicity")
                       if request.form.get(k, "") != (getattr(detention, k) or "")}
            if request.form.get("date_of_birth"):
                dob = _iso_date(request.form["date_of_birth"])
                if dob != (detention.date_of_birth.isoformat() if detention.date_of_birth else None):
                    payload["date_of_birth"] = dob
            # Compare what the sergeant sees, not instants: the form shows minutes only, and an
            # unchanged 01:15 in the hour the clocks repeat must not move the arrival.
            # Left empty (or not sent) means unchanged: on this form, unlike booking, empty is not "now".
            shown = detention.arrived_at.astimezone(zone)
            entered = tuple((request.form.get(f"arrived_at_{part}") or "").strip() for part in ("date", "time"))
            if any(entered) and entered != (shown.strftime("%d/%m/%Y"), shown.strftime("%H:%M")):
                payload["arrived_at"] = forms.local_instant(request.form, "arrived_at", zone, now())
            if set(request.form.getlist("needs")) != set(detention.needs):
                payload["needs"] = request.form.getlist("needs")
            if forms.checkbox(request.form, "looked_after") != detention.looked_after:
                payload["looked_after"] = forms.checkbox(request.form, "looked_after")
            payload["amend_reason"] = request.form.get("amend_reason", "")
            data = forms.load(schemas.DetentionAmend(), payload)
            forms.submit(lambda: booking.amend(db.session, detention, data, current_user, now()))
            db.session.commit()
            flash("The booking was corrected; the change and its reason are on the timeline.")
            return redirect(url_for("custody.record", detention_id=detention.id))
        except forms.FormErrors as refused:
            errors = refused.errors
    here = detention.arrived_at.astimezone(zone)
    values = request.form.to_dict() if request.method == "POST" else {
        "forename": detention.forename, "surname": detention.surname,
        "custody_record_number": detention.custody_record_number or "", "offence": detention.offence or "",
        "arresting_officer": detention.arresting_officer or "", "sex": detention.sex or "",
        "ethnicity": detention.ethnicity or "",
        "date_of_birth": detention.date_of_birth.strftime("%d/%m/%Y") if detention.date_of_birth else "",
        "arrived_at_date": here.strftime("%d/%m/%Y"), "arrived_at_time": here.strftime("%H:%M"),
        "looked_after": "on" if detention.looked_after else ""}
    selected = request.form.getlist("needs") if request.method == "POST" else detention.needs
    return render_template("custody/amend.html", detention=detention, values=values, errors=errors,
                           needs=NEED_LABELS, selected_needs=selected), 422 if errors else 200


@bp.route("/detentions/<int:detention_id>/certificate")
@allow(READ)
def certificate(detention_id):
    """The juvenile detention certificate (PACE s.38(6)), printable on one A4 page for court."""
    detention = booking.get_detention(db.session, detention_id)
    if detention.certificate is None:
        raise NotFound("No juvenile detention certificate is issued for this detention.")
    return render_template("custody/certificate.html", detention=detention, certificate=detention.certificate,
                           zone=detention.suite.timezone)
