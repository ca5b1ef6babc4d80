"""Admin pages: who may sign in (users and roles) and the custody suites."""
import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from auth import services
from auth.access import ADMIN, allow
from auth.models import ROLES, User
from core import forms
from core.db import db
from core.web import nav_links
from custody import schemas
from custody import suites as suite_service
from custody.models import Suite

bp = Blueprint("admin", __name__, url_prefix="/admin")

nav_links.append(("admin.users", "Users", ADMIN))
nav_links.append(("admin.suites", "Suites", ADMIN))


@bp.route("/users", methods=["GET", "POST"])
@allow(ADMIN)
def users():
    errors, created_password = {}, None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        role = request.form.get("role", "")
        if not username:
            errors["username"] = ["Enter a username"]
        else:
            created_password = secrets.token_urlsafe(12)
            try:
                forms.submit(lambda: services.create_user(db.session, username, role,
                                                          current_app.config["CLOCK"](), created_password,
                                                          request.form.get("display_name") or username,
                                                          by=current_user))
                db.session.commit()
                flash(f"{username} can now sign in as {role} with the password {created_password} "
                      "(shown once: pass it on in person).")
                return redirect(url_for("admin.users"))
            except forms.FormErrors as refused:
                errors = refused.errors
    everyone = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=everyone, roles=ROLES, errors=errors,
                           values=request.form), 422 if errors else 200


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@allow(ADMIN)
def set_active(user_id):
    user = db.session.get(User, user_id)
    if user is not None:
        services.set_active(db.session, user, request.form.get("active") == "1", current_user,
                            current_app.config["CLOCK"]())
        db.session.commit()
        flash(f"{user.username} is now {'able' if user.active else 'unable'} to sign in.")
    return redirect(url_for("admin.users"))


@bp.route("/suites", methods=["GET", "POST"])
@allow(ADMIN)
def suites():
    errors = {}
    if request.method == "POST":
        try:
            data = forms.load(schemas.SuiteIn(), {k: v for k, v in request.form.items()
                                                  if k in ("code", "name", "timezone") and v})
            forms.submit(lambda: suite_service.create(db.session, data, current_user, current_app.config["CLOCK"]()))
            db.session.commit()
            flash(f"Suite {data['code'].upper()} added.")
            return redirect(url_for("admin.suites"))
        except forms.FormErrors as refused:
            errors = refused.errors
    all_suites = db.session.scalars(select(Suite).order_by(Suite.name)).all()
    return render_template("admin/suites.html", suites=all_suites, errors=errors, values=request.form), \
        422 if errors else 200


@bp.route("/suites/<int:suite_id>", methods=["POST"])
@allow(ADMIN)
def edit_suite(suite_id):
    suite = db.session.get(Suite, suite_id)
    if suite is None:
        return redirect(url_for("admin.suites"))
    try:
        data = forms.load(schemas.SuiteUpdate(), {"name": request.form.get("name", suite.name),
                                                  "timezone": request.form.get("timezone", suite.timezone),
                                                  "active": request.form.get("active") == "1"})
        forms.submit(lambda: suite_service.update(db.session, suite, data, current_user,
                                                  current_app.config["CLOCK"]()))
        db.session.commit()
        flash(f"Suite {suite.code} saved.")
    except forms.FormErrors as refused:
        flash("Not saved: " + "; ".join(m for messages in refused.errors.values() for m in messages))
    return redirect(url_for("admin.suites"))
