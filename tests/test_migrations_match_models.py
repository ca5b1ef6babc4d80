"""The migrated schema equals the models, on whichever database the suite runs against."""
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import StatementError

from auth.models import User
from core.db import NaiveDatetimeError, db


def test_migrations_produce_exactly_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_aware_utc_survives_the_round_trip(api):
    from tests.conftest import booking
    created = api.post("/api/v1/detentions", json=booking(arrived_at="2026-11-28T10:00:00+01:00")).json
    assert api.get(f"/api/v1/detentions/{created['id']}").json["arrived_at"] == "2026-11-28T09:00:00Z"


def test_naive_datetimes_never_reach_the_database(app):
    db.session.add(User(username="naive", display_name="n", role="admin", created_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError) as raised:
        db.session.flush()
    assert isinstance(raised.value.orig, NaiveDatetimeError)
    db.session.rollback()
