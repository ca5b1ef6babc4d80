"""Pages: the message log (everyone who may read) and the contacts of each suite (admin)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alerts import contacts, schemas
from alerts.models import CONTACT_ROLES, MESSAGE_STATUSES, Contact, Message
from auth.access import ADMIN, READ, allow
from core import forms
from core.db import db
from core.web import nav_links
from custody.models import Detention, Suite

bp = Blueprint("alerts", __name__)

nav_links.extend([("alerts.messages", "Text messages", READ), ("alerts.contacts", "Contacts", ADMIN)])

ROLE_LABELS = {
    "aa_scheme": "AA scheme", "aa_scheme_coordinator": "AA scheme coordinator",
    "custody_inspector": "Custody inspector", "duty_superintendent": "Duty superintendent",
    "local_authority_edt": "Local authority emergency duty team",
}
LOG_LIMIT = 500
CONTACT_FIELDS = ("suite", "role", "name", "phone", "window_start", "window_end")


def now():
    return current_app.config["CLOCK"]()


def _suites():
    return db.session.scalars(select(Suite).where(Suite.active).order_by(Suite.name)).all()


def _message_log(filters):
    query = (select(Message, Detention).join(Detention, Message.detention_id == Detention.id)
             .options(selectinload(Message.contact), selectinload(Message.escalation_step))
             .order_by(Message.id.desc()))
    if filters.get("suite"):
        query = query.join(Suite, Detention.suite_id == Suite.id).where(Suite.code == filters["suite"])
    if filters.get("status") in MESSAGE_STATUSES:
        query = query.where(Message.status == filters["status"])
    if filters.get("role") in CONTACT_ROLES:
        query = query.where(Message.role == filters["role"])
    if filters.get("late"):
        query = query.where(Message.late)
    if filters.get("reference"):
        query = query.where(Detention.reference == filters["reference"].strip().upper())
    return db.session.execute(query.limit(LOG_LIMIT)).all()


@bp.route("/messages")
@allow(READ)
def messages():
    filters = {key: request.args.get(key, "") for key in ("suite", "status", "role", "late", "reference")}
    return render_template("alerts/messages.html", rows=_message_log(filters), filters=filters,
                           suites=_suites(), statuses=MESSAGE_STATUSES, roles=ROLE_LABELS, limit=LOG_LIMIT)


@bp.route("/admin/contacts", endpoint="contacts")
@allow(ADMIN)
def contacts_page():
    rows = db.session.scalars(select(Contact).join(Suite).where(Contact.active)
                              .order_by(Suite.name, Contact.role, Contact.name)).all()
    by_suite = {suite: [c for c in rows if c.suite_id == suite.id] for suite in _suites()}
    return render_template("alerts/contacts.html", by_suite=by_suite, roles=ROLE_LABELS)


def _contact_payload(form):
    return {key: form.get(key, "").strip() for key in CONTACT_FIELDS}


def _contact_form(contact, template_values, action):
    errors = {}
    values = template_values
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            schema = schemas.ContactIn() if contact is None else schemas.ContactChange()
            data = forms.load(schema, _contact_payload(request.form))
            forms.submit(lambda: action(data))
            db.session.commit()
            flash("The contact was saved.")
            return redirect(url_for("alerts.contacts"))
        except forms.FormErrors as refused:
            errors = refused.errors
    return render_template("alerts/contact_form.html", contact=contact, values=values, errors=errors,
                           suites=_suites(), roles=ROLE_LABELS), 422 if errors else 200


@bp.route("/admin/contacts/new", methods=["GET", "POST"])
@allow(ADMIN)
def add_contact():
    values = {"suite": request.args.get("suite", "")}
    return _contact_form(None, values, lambda data: contacts.create(db.session, data, current_user, now()))


@bp.route("/admin/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@allow(ADMIN)
def edit_contact(contact_id):
    contact = contacts.get_contact(db.session, contact_id)
    values = schemas.ContactOut().dump(contact)
    values = {key: values[key] or "" for key in CONTACT_FIELDS}
    return _contact_form(contact, values,
                         lambda data: contacts.update(db.session, contact, data, current_user, now()))


@bp.route("/admin/contacts/<int:contact_id>/remove", methods=["POST"])
@allow(ADMIN)
def remove_contact(contact_id):
    contact = contacts.get_contact(db.session, contact_id)
    contacts.remove(db.session, contact, current_user, now())
    db.session.commit()
    flash(f"{contact.name} was taken off the {contact.suite.name} chain.")
    return redirect(url_for("alerts.contacts"))

