"""flask backup create / restore: a consistent online copy of the SQLite database, and back.

These run on a SQLite file of their own whichever database the suite is on; on PostgreSQL the
command refuses and points at pg_dump (docs/operations.md).
"""
import sqlite3
import threading
from contextlib import closing

import pytest
from sqlalchemy import select

from auth.models import User
from auth.services import issue_token
from core.backup import BackupError, sqlite_path
from core.db import db
from tests.conftest import booking, make_app
from tests.proof.fuzzing import row_counts
from tests.proof.scratch import scratch_sqlite_app


@pytest.fixture
def scratch(tmp_path, clock, password_hash):
    with scratch_sqlite_app(tmp_path, clock, password_hash) as app:
        yield app


@pytest.fixture
def sergeant(scratch, clock):
    user = db.session.scalar(select(User).where(User.username == "sgt_price"))
    headers = {"Authorization": f"Bearer {issue_token(db.session, user, clock())}"}
    db.session.commit()
    client = scratch.test_client()
    return lambda method, url, **kwargs: client.open(url, method=method, headers=headers, **kwargs)


def flask(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def book(sergeant, **fields):
    response = sergeant("POST", "/api/v1/detentions", json=booking(custody_record_number=None, **fields))
    assert response.status_code == 201, response.json
    return response.json


def consistent(path):
    """Every booking in the file has its audit event and its reference number."""
    with closing(sqlite3.connect(path)) as backup:
        detentions = backup.execute("SELECT count(*) FROM detentions").fetchone()[0]
        booked = backup.execute("SELECT count(*) FROM audit_events WHERE action = 'booked_in'").fetchone()[0]
        numbered = backup.execute("SELECT coalesce(sum(last_number), 0) FROM reference_counters").fetchone()[0]
        integrity = backup.execute("PRAGMA integrity_check").fetchone()[0]
    return integrity == "ok" and detentions == booked == numbered, detentions


def test_a_backup_restores_the_data_as_it_was(scratch, sergeant, tmp_path):
    first = book(sergeant)
    second = book(sergeant, forename="Casey", surname="Moore")
    at_backup = {d["id"]: sergeant("GET", f"/api/v1/detentions/{d['id']}").json for d in (first, second)}
    counts_at_backup = row_counts()

    code, output = flask(scratch, "backup", "create", str(tmp_path / "nightly.db"))
    assert code == 0 and "Backed up to" in output, output

    book(sergeant, forename="Riley", surname="Shaw")
    assert sergeant("PATCH", f"/api/v1/detentions/{first['id']}",
                    json={"surname": "Ellison", "amend_reason": "Spelling"}).status_code == 200
    assert sergeant("POST", f"/api/v1/detentions/{second['id']}/release",
                    json={"outcome": "bail"}).status_code == 200
    assert row_counts() != counts_at_backup

    code, output = flask(scratch, "backup", "restore", "--yes", str(tmp_path / "nightly.db"))
    assert code == 0 and "Restored from" in output, output

    assert row_counts() == counts_at_backup
    assert [d["id"] for d in sergeant("GET", "/api/v1/detentions").json] == [second["id"], first["id"]]
    for detention_id, record in at_backup.items():
        assert sergeant("GET", f"/api/v1/detentions/{detention_id}").json == record


def test_a_backup_taken_during_a_write_holds_what_was_committed(scratch, sergeant, tmp_path):
    book(sergeant)
    with closing(sqlite3.connect(sqlite_path(scratch.config["SQLALCHEMY_DATABASE_URI"]))) as writer:
        writer.execute("BEGIN IMMEDIATE")  # a write in flight: the database's write lock is held
        writer.execute("INSERT INTO suites (code, name, timezone, active) VALUES ('ZZZ', 'Mid-write', "
                       "'Europe/London', 1)")
        code, output = flask(scratch, "backup", "create", str(tmp_path / "during.db"))
        writer.commit()
    assert code == 0, output
    with closing(sqlite3.connect(tmp_path / "during.db")) as backup:
        assert backup.execute("SELECT count(*) FROM suites WHERE code = 'ZZZ'").fetchone()[0] == 0
        assert backup.execute("SELECT count(*) FROM detentions").fetchone()[0] == 1
    assert consistent(tmp_path / "during.db") == (True, 1)


def test_backups_taken_while_bookings_pour_in_are_each_consistent(scratch, sergeant, tmp_path):
    started = threading.Event()

    def keep_booking():
        for n in range(25):
            book(sergeant, forename=f"Child{n}")
            started.set()

    writer = threading.Thread(target=keep_booking)
    writer.start()
    started.wait(timeout=60)
    taken = []
    while writer.is_alive() and len(taken) < 40:
        path = tmp_path / f"backup-{len(taken)}.db"
        code, output = flask(scratch, "backup", "create", str(path))
        assert code == 0, output
        taken.append(path)
    writer.join()
    code, output = flask(scratch, "backup", "create", str(tmp_path / "after.db"))
    assert code == 0, output

    results = [consistent(path) for path in taken]
    print(f"\n{len(taken)} backups during the bookings saw {[n for _, n in results]} children")
    assert taken and all(ok for ok, _ in results), results
    assert consistent(tmp_path / "after.db") == (True, 25)


def test_a_backup_never_overwrites_a_file(scratch, tmp_path):
    (tmp_path / "exists.db").write_text("yesterday's backup")
    code, output = flask(scratch, "backup", "create", str(tmp_path / "exists.db"))
    assert code == 1 and "already exists" in output
    assert (tmp_path / "exists.db").read_text() == "yesterday's backup"


def test_restore_refuses_a_file_that_is_not_a_backup(scratch, sergeant, tmp_path):
    book(sergeant)
    (tmp_path / "notes.db").write_text("not a database")
    code, output = flask(scratch, "backup", "restore", "--yes", str(tmp_path / "notes.db"))
    assert code == 1 and "not a usable backup" in output
    assert len(sergeant("GET", "/api/v1/detentions").json) == 1


def test_postgresql_is_refused_with_a_pointer_to_pg_dump(tmp_path, clock):
    with pytest.raises(BackupError, match="pg_dump -Fc"):
        sqlite_path("postgresql+psycopg://postgres@127.0.0.1:5432/custody")
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:5432/custody", str(tmp_path), clock)
    code, output = flask(app, "backup", "create", str(tmp_path / "x.db"))
    assert code == 1 and "pg_dump -Fc" in output and "pg_restore" in output
    assert not (tmp_path / "x.db").exists()
