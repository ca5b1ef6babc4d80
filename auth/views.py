from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from sqlalchemy import select

from auth.access import READ, allow, public
from auth.forms import LoginForm
from auth.models import User
from core.db import db
from core.extensions import limiter

bp = Blueprint("auth", __name__)


def _safe_next(target):
    """Only same-site paths: an open redirect on a login page is a phishing tool."""
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data))
        if user and user.active and user.check_password(form.password.data):
            login_user(user)
            current_app.logger.info("user %s signed in", user.id)
            return redirect(_safe_next(request.args.get("next")) or url_for("custody.board"))
        form.password.errors.append("The username or password is not right")
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(READ)
def logout():
    logout_user()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))
