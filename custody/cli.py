"""flask suites seed; flask setup (what `make run` does before serving)."""
import secrets

import click
from flask import current_app
from sqlalchemy import select

from auth import services as users
from auth.models import User
from core.db import db
from custody import suites as suite_service


@click.group()
def suites():
    """Custody suites."""


@suites.command("seed")
def seed_command():
    """Add the suites listed in SUITES_FILE that are not there yet."""
    added = suite_service.seed(db.session, suite_service.read_suites_file(current_app.config["SUITES_FILE"]))
    db.session.commit()
    click.echo(f"{len(added)} suite(s) added.")


@click.command("setup")
def setup():
    """Seed suites and make sure there is a first admin, printing how to sign in."""
    suite_service.seed(db.session, suite_service.read_suites_file(current_app.config["SUITES_FILE"]))
    if db.session.scalar(select(User).where(User.role == "admin")) is None:
        password = secrets.token_urlsafe(12)
        users.create_user(db.session, "admin", "admin", current_app.config["CLOCK"](), password, "Administrator")
        db.session.commit()
        click.echo("First admin created. Sign in at http://127.0.0.1:%s/login as admin with password: %s"
                   % (current_app.config.get("PORT", 5000), password))
        click.echo("(shown once; `flask users password admin` sets a new one)")
    else:
        db.session.commit()
        click.echo("Admin exists. Forgot the password? `.venv/bin/flask users password admin`")
