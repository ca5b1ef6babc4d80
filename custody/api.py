"""/api/v1: suites, detentions and the booking. Views parse, call a service, serialise."""
from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select

from auth.access import ADMIN, READ, RECORD, allow
from core.db import commit_keeping_loaded, db
from core.errors import NotFound
from custody import booking, schemas
from custody import suites as suite_service
from custody.models import Detention, Suite
from custody.record import DetentionRecord

bp = Blueprint("custody_api", __name__, url_prefix="/api/v1", description="Children in custody")


def now():
    return current_app.config["CLOCK"]()


@bp.route("/suites")
class Suites(MethodView):
    @allow(READ)
    @bp.response(200, schemas.SuiteOut(many=True))
    def get(self):
        """Custody suites"""
        return db.session.scalars(select(Suite).order_by(Suite.name)).all()

    @allow(ADMIN)
    @bp.arguments(schemas.SuiteIn)
    @bp.response(201, schemas.SuiteOut)
    def post(self, data):
        """Add a custody suite (admin)"""
        suite = suite_service.create(db.session, data, current_user, now())
        db.session.commit()
        return suite


@bp.route("/detentions")
class Detentions(MethodView):
    @allow(READ)
    @bp.arguments(schemas.DetentionQuery, location="query", unknown=RAISE)  # ?stauts= must not list everyone
    @bp.response(200, schemas.DetentionOut(many=True))
    def get(self, query):
        """Detentions, newest arrival first; filter by status and suite code"""
        statement = select(Detention).order_by(Detention.arrived_at.desc())
        if query["status"]:
            statement = statement.where(Detention.status == query["status"])
        if query["suite"]:
            statement = statement.join(Suite).where(Suite.code == query["suite"].upper())
        return db.session.scalars(statement.limit(1000)).all()

    @allow(RECORD)
    @bp.arguments(schemas.DetentionIn)
    @bp.response(201, schemas.DetentionRecordOut)
    def post(self, data):
        """Book a child into custody"""
        detention = booking.book(db.session, data, current_user, now())
        record = DetentionRecord(detention, now(), db.session, just_booked=True)  # as this transaction wrote it
        commit_keeping_loaded(db.session)  # so answering does not read it all back
        return record


@bp.route("/detentions/<int:detention_id>")
class DetentionById(MethodView):
    @allow(READ)
    @bp.response(200, schemas.DetentionRecordOut)
    def get(self, detention_id):
        """The whole record of one child's custody"""
        return DetentionRecord(booking.get_detention(db.session, detention_id), now(), db.session)

    @allow(RECORD)
    @bp.arguments(schemas.DetentionAmend)
    @bp.response(200, schemas.DetentionRecordOut)
    def patch(self, data, detention_id):
        """Correct the booking; `amend_reason` is required and kept in the audit trail"""
        detention = booking.get_detention(db.session, detention_id, for_update=True)
        booking.amend(db.session, detention, data, current_user, now())
        db.session.commit()
        return DetentionRecord(detention, now(), db.session)




@bp.route("/suites/<code>")
class SuiteByCode(MethodView):
    @allow(ADMIN)
    @bp.arguments(schemas.SuiteUpdate)
    @bp.response(200, schemas.SuiteOut)
    def patch(self, data, code):
        """Rename a suite, change its time zone, or retire it (admin)"""
        suite = db.session.scalar(select(Suite).where(Suite.code == code.upper()))
        if suite is None:
            raise NotFound(f"There is no suite {code}.")
        suite_service.update(db.session, suite, data, current_user, now())
        db.session.commit()
        return suite
