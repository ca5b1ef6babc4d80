"""Where the benchmarks keep their data: a database of their own, never the shared `test`.

On PostgreSQL each benchmark works in a schema of its own inside the bench database (the
connection's `search_path` names it), so the 500,000-detention seed survives from one run to
the next while the web benchmark starts from empty tables each time. On SQLite each namespace
is a file. Schemas are built by the real migrations, as in production.
"""
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

import config

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_dev"
SHARED_DATABASES = {"test", "postgres", "template0", "template1"}
# Only ever used against the throwaway bench databases on loopback.
SECRET_KEY = "bench-only-secret-key-for-throwaway-databases"


class Databases:
    def __init__(self, base_url, instance_path):
        url = make_url(base_url)
        if url.get_backend_name() not in ("postgresql", "sqlite"):
            raise SystemExit(f"BENCH_DATABASE_URL must be PostgreSQL (or SQLite), got {url.get_backend_name()}")
        if url.get_backend_name() == "postgresql" and url.database in SHARED_DATABASES:
            raise SystemExit(f"Refusing to benchmark in the shared database {url.database!r}: "
                             "set BENCH_DATABASE_URL to a database of the benchmarks' own.")
        self.base = url
        self.instance_path = str(instance_path)

    @classmethod
    def sqlite_in(cls, folder, instance_path):
        return cls(f"sqlite:///{Path(folder) / 'bench.sqlite'}", instance_path)

    @property
    def dialect(self):
        return "postgresql" if self.base.get_backend_name() == "postgresql" else "sqlite"

    def url(self, namespace):
        if self.dialect == "postgresql":
            url = self.base.update_query_dict({"options": f"-csearch_path=bench_{namespace}"})
        else:
            url = self.base.set(database=str(Path(self.base.database).with_name(f"bench_{namespace}.sqlite")))
        return url.render_as_string(hide_password=False)

    def environment(self, namespace, **extra):
        """Environment variables for a server or worker process working in `namespace`."""
        env = {"DATABASE_URL": self.url(namespace), "SECRET_KEY": SECRET_KEY, "SCHEDULER_ENABLED": "0",
               "SMS_BACKEND": "console", "LOG_LEVEL": "WARNING"}
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def app(self, namespace, **overrides):
        from app import create_app
        settings = config.from_environment(self.environment(namespace), self.instance_path)
        settings.update(overrides)
        return create_app(settings)

    # -- lifecycle -------------------------------------------------------------------------
    def ensure_database(self):
        if self.dialect == "sqlite":
            Path(self.base.database).parent.mkdir(parents=True, exist_ok=True)
            return
        server = create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": self.base.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{self.base.database}"'))
        server.dispose()

    def drop_database(self):
        """For the smoke test's throwaway database only."""
        if self.dialect == "sqlite":
            return
        server = create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.base.database}" WITH (FORCE)'))
        server.dispose()

    def recreate(self, namespace):
        """An empty schema for `namespace`, built by the real migrations."""
        from flask_migrate import upgrade

        from core.db import db
        self.ensure_database()
        if self.dialect == "postgresql":
            engine = create_engine(self.base)
            with engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS bench_{namespace} CASCADE"))
                connection.execute(text(f"CREATE SCHEMA bench_{namespace}"))
            engine.dispose()
        else:
            path = Path(make_url(self.url(namespace)).database)
            for stale in (path, path.with_suffix(".note")):
                stale.unlink(missing_ok=True)
        app = self.app(namespace)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        self.set_note(namespace, "")

    # -- what a namespace holds, so a long seed is reused while it still fits ---------------
    def note(self, namespace):
        if self.dialect == "sqlite":
            path = Path(make_url(self.url(namespace)).database)
            note_file = path.with_suffix(".note")
            return note_file.read_text() if path.exists() and note_file.exists() else None
        self.ensure_database()  # a first run on a new BENCH_DATABASE_URL has nothing to read yet
        engine = create_engine(self.base)
        with engine.connect() as connection:
            note = connection.scalar(text(
                "SELECT coalesce(obj_description(oid, 'pg_namespace'), '') FROM pg_namespace WHERE nspname = :n"),
                {"n": f"bench_{namespace}"})
        engine.dispose()
        return note

    def set_note(self, namespace, note):
        if self.dialect == "sqlite":
            Path(make_url(self.url(namespace)).database).with_suffix(".note").write_text(note)
            return
        engine = create_engine(self.base)
        with engine.begin() as connection:
            quoted = note.replace("'", "''")
            connection.execute(text(f"COMMENT ON SCHEMA bench_{namespace} IS '{quoted}'"))
        engine.dispose()
