"""The database: one SQLAlchemy instance, a constraint naming convention, aware-UTC times."""
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

# Named constraints let Alembic alter and drop them, and SQLite batch mode needs names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone reached the database."""


class UTCDateTime(TypeDecorator):
    """An instant: refuses naive datetimes, stores UTC, reads back aware UTC.

    PostgreSQL keeps the offset (timestamptz). SQLite has no time zones, so the value is
    stored as UTC text and this type is the one place that says so when reading it back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(f"naive datetime {value!r}: instants must be aware")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={datetime: UTCDateTime()})


db = SQLAlchemy(model_class=Base)


def commit_keeping_loaded(session):
    """Commit without expiring what the session holds, for a response built from objects this
    transaction has just written: they are what was committed, so reading them back (a query
    per relationship) would only fetch the same values again. Elsewhere, commit() as usual."""
    session = session() if callable(session) else session  # the scoped_session's own Session
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
