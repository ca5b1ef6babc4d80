"""flask users create NAME --role ROLE [--password P]; flask users token NAME."""
import secrets

import click
from flask import current_app
from sqlalchemy import select

from auth import services
from auth.models import ROLES, User
from core.db import db
from core.errors import DomainError


def _now():
    return current_app.config["CLOCK"]()


@click.group()
def users():
    """Manage who may sign in and who holds API tokens."""


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", help="Leave out to have one generated and printed once.")
@click.option("--name", "display_name", help="Full name shown in the audit trail.")
def create(username, role, password, display_name):
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        services.create_user(db.session, username, role, _now(), password, display_name)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {role} {username}.")
    if generated:
        click.echo(f"Password (shown once): {password}")


@users.command("token")
@click.argument("username")
def token(username):
    """Print a new API token for USERNAME, once. Use it as `Authorization: Bearer <token>`."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"No user called {username}.")
    plain = services.issue_token(db.session, user, _now())
    db.session.commit()
    click.echo(plain)


@users.command("password")
@click.argument("username")
@click.option("--password", help="Leave out to have one generated and printed once.")
def password(username, password):
    """Set a new password for USERNAME."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"No user called {username}.")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    user.set_password(password)
    db.session.commit()
    click.echo(f"Password for {username} changed." + (f" New password (shown once): {password}" if generated else ""))
