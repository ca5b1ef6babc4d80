"""A scratch app on a SQLite file of its own, migrated from empty, with the personas and suites."""
import contextlib

from flask_migrate import upgrade

from auth import services as users
from core.db import db
from custody import suites
from tests.conftest import PERSONAS, make_app


@contextlib.contextmanager
def scratch_sqlite_app(tmp_path, clock, password_hash):
    app = make_app(f"sqlite:///{tmp_path / 'custody.db'}", str(tmp_path / "instance"), clock)
    with app.app_context():
        upgrade()
        suites.seed(db.session, suites.read_suites_file(app.config["SUITES_FILE"]))
        for role, (username, name) in PERSONAS.items():
            users.create_user(db.session, username, role, clock(), display_name=name).password_hash = password_hash
        db.session.commit()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
