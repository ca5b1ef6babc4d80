"""Every migration upgrades and downgrades cleanly: head, down to base, head again, and the schema
still equals the models. On a scratch SQLite file always, and on a scratch PostgreSQL schema when
the suite runs on PostgreSQL (so neither touches the suite's own database)."""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from core.db import db
from tests.conftest import make_app

DATABASES = ["sqlite"]
if (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"):
    DATABASES.append("postgresql")


@pytest.fixture
def scratch_app(request, tmp_path, clock):
    if request.param == "sqlite":
        app = make_app(f"sqlite:///{tmp_path / 'scratch.db'}", str(tmp_path), clock)
        with app.app_context():
            yield app
            db.engine.dispose()
        return
    url = os.environ["TEST_DATABASE_URL"]
    schema = f"proof_scratch_{uuid.uuid4().hex[:8]}"
    app = make_app(url, str(tmp_path), clock, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}})
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            yield app
        finally:
            with db.engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            db.engine.dispose()


def schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def tables():
    return set(inspect(db.engine).get_table_names())


@pytest.mark.parametrize("scratch_app", DATABASES, indirect=True)
def test_upgrade_downgrade_to_base_and_upgrade_again(scratch_app):
    upgrade()
    assert schema_differences() == []
    assert {"detentions", "audit_events", "users"} <= tables()

    downgrade(revision="base")
    assert tables() == {"alembic_version"}
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0

    upgrade()
    assert schema_differences() == []
    assert tables() == {t.name for t in db.metadata.sorted_tables} | {"alembic_version"}
