"""/api/v1: the SMS log (everyone who may read) and the escalation contacts (admin)."""
from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alerts import contacts, schemas
from alerts.models import Contact, Message
from auth.access import ADMIN, READ, allow
from core.db import db
from custody.models import Suite

bp = Blueprint("alerts_api", __name__, url_prefix="/api/v1", description="Escalation texts and contacts")
LIST_LIMIT = 1000


def now():
    return current_app.config["CLOCK"]()


@bp.route("/messages")
class Messages(MethodView):
    @allow(READ)
    @bp.arguments(schemas.MessageQuery, location="query")
    @bp.response(200, schemas.MessageOut(many=True))
    def get(self, query):
        """The SMS log, newest first; filter by detention and status"""
        statement = select(Message).options(selectinload(Message.contact)).order_by(Message.id.desc())
        if query["detention_id"] is not None:
            statement = statement.where(Message.detention_id == query["detention_id"])
        if query["status"]:
            statement = statement.where(Message.status == query["status"])
        return db.session.scalars(statement.limit(LIST_LIMIT)).all()


@bp.route("/contacts")
class Contacts(MethodView):
    @allow(ADMIN)
    @bp.response(200, schemas.ContactOut(many=True))
    def get(self):
        """The escalation contacts of every suite"""
        return db.session.scalars(select(Contact).join(Suite).where(Contact.active)
                                  .order_by(Suite.code, Contact.role, Contact.name)).all()

    @allow(ADMIN)
    @bp.arguments(schemas.ContactIn)
    @bp.response(201, schemas.ContactOut)
    def post(self, data):
        """Add someone to a suite's escalation chain"""
        contact = contacts.create(db.session, data, current_user, now())
        db.session.commit()
        return contact


@bp.route("/contacts/<int:contact_id>")
class ContactById(MethodView):
    @allow(ADMIN)
    @bp.arguments(schemas.ContactChange)
    @bp.response(200, schemas.ContactOut)
    def patch(self, data, contact_id):
        """Change a contact (number, role, window...)"""
        contact = contacts.update(db.session, contacts.get_contact(db.session, contact_id), data, current_user, now())
        db.session.commit()
        return contact

    @allow(ADMIN)
    @bp.response(204)
    def delete(self, contact_id):
        """Take a contact off the chain (kept on record for the texts already sent)"""
        contacts.remove(db.session, contacts.get_contact(db.session, contact_id), current_user, now())
        db.session.commit()
