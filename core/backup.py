"""flask backup create PATH / flask backup restore PATH: the embedded SQLite database, online.

SQLite's backup API copies the database page by page inside one read transaction, so the copy
is consistent (every booking with its audit event) even while the app goes on writing; a plain
file copy of a database being written can be torn. PostgreSQL has its own tools (pg_dump,
pg_restore, point-in-time recovery): see docs/operations.md.
"""
import sqlite3
from contextlib import closing
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

from core.db import db

PG_MESSAGE = ("This database is PostgreSQL: back it up with `pg_dump -Fc` and restore with `pg_restore` "
              "(see docs/operations.md, which also covers point-in-time recovery).")


class BackupError(Exception):
    pass


def sqlite_path(database_url):
    """The file behind a sqlite: URL; anything else is refused with what to use instead."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        raise BackupError(PG_MESSAGE)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupError(f"Only a SQLite database file can be backed up here, not {url.get_backend_name()}.")
    return Path(url.database)


def _check(path):
    """A readable SQLite database that passes its own integrity check and has a schema version."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not a usable backup of this service: {error}") from None
    if result != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result}")
    return version[0] if version else None


def _copy(source, target):
    with closing(sqlite3.connect(source)) as from_db, closing(sqlite3.connect(target)) as to_db:
        from_db.backup(to_db)  # all pages in one step: one consistent snapshot


def create(database_url, target):
    """Copy the live database to `target` (a new file); return the schema version it holds."""
    source = sqlite_path(database_url)
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists; back up to a new file.")
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    _copy(source, target)
    return _check(target)


def restore(database_url, source):
    """Replace the live database's contents with the backup at `source`. Stop the web app and the
    alert workers first: a restore rewinds every record to the moment of the backup."""
    live = sqlite_path(database_url)
    version = _check(source)
    _copy(source, live)
    return version


@click.group("backup", cls=AppGroup)
def backup_cli():
    """Back up and restore the embedded SQLite database (PostgreSQL: pg_dump, see docs/operations.md)."""


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def create_command(path):
    """Write a consistent copy of the database to PATH, safe while the app is running."""
    try:
        version = create(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {path} ({Path(path).stat().st_size} bytes, schema {version}).")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path, yes):
    """Replace the database with the backup at PATH. Stop the web app and workers first."""
    if not yes:
        click.confirm("This replaces every record with the backup's. Are the web app and workers stopped?",
                      abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old file open mid-restore
    try:
        version = restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {path} (schema {version}). Run `flask db upgrade` if this release is newer.")
