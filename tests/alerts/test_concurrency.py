"""Several workers at once: no step is texted twice and none is lost.

Three real `flask alerts sweep` processes race over the same due steps on PostgreSQL, each
posting to the fake Twilio API through the real client. SQLite has no row locks and lets
only one writer in at a time, so there the same check runs with a single process.
"""
import re

import pytest
from sqlalchemy import func, select

from alerts.models import EscalationStep, Message
from core.db import db
from tests.alerts.conftest import add_contact, at, flask_process, twilio_settings
from tests.alerts.fake_twilio import FakeTwilio
from tests.conftest import booking

CHILDREN = 20
# Per child by 09:00: aa_not_requested (2 inspectors), review_due -30 (2 inspectors), +15 (1).
TEXTS_PER_CHILD = 5


@pytest.fixture
def slow_twilio(clock):
    fake = FakeTwilio(clock, delay_seconds=0.02)  # a little network time, so the workers overlap
    yield fake
    fake.stop()


def book_children(api, clock):
    clock.set(at("02:00"))
    for number in range(CHILDREN):
        created = api.post("/api/v1/detentions", json=booking(
            arrived_at=at("02:00").isoformat(), custody_record_number=f"DU-26-{number:06d}"))
        assert created.status_code == 201, created.json


def sweeps_at_once(env, workers, now):
    processes = [flask_process(env, "alerts", "sweep", "--now", now.isoformat()) for _ in range(workers)]
    results = [process.communicate(timeout=300) for process in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
    return [int(re.search(r"^(\d+) sent", out, re.MULTILINE).group(1)) for out, _ in results]


@pytest.mark.slow
def test_workers_racing_over_the_same_steps_send_each_text_exactly_once(app, api, clock, chain, slow_twilio,
                                                                         flask_env, sweep):
    add_contact(app, "custody_inspector", "Second inspector", "+447700900113")
    book_children(api, clock)
    workers = 3 if db.engine.dialect.name == "postgresql" else 1
    env = flask_env(**{**twilio_settings(slow_twilio.base_url), "TWILIO_TIMEOUT_SECONDS": 10})
    clock.set(at("09:00"))
    sent_by_worker = sweeps_at_once(env, workers, at("09:00"))
    expected = CHILDREN * TEXTS_PER_CHILD
    assert sum(sent_by_worker) == expected
    assert len(slow_twilio.posts) == expected                      # nothing posted twice...
    assert len(set(slow_twilio.texts())) == expected               # ...and no text twice
    db.session.rollback()
    statuses = dict(db.session.execute(
        select(EscalationStep.status, func.count()).group_by(EscalationStep.status)).tuples().all())
    assert statuses == {"done": CHILDREN * 3}                      # none lost, none left pending
    assert db.session.scalar(select(func.count()).where(Message.status == "sent")) == expected
    app.config.update(twilio_settings(slow_twilio.base_url))
    assert sweep(at("09:01")).sent == [] and len(slow_twilio.posts) == expected
    print(f"\n{workers} worker(s) sent {sent_by_worker} = {sum(sent_by_worker)} of {expected} texts; "
          f"{len(slow_twilio.posts)} posts to the provider")
