"""Fixtures for the escalation engine: a suite's chain of contacts, the fake Twilio API,
signed webhook requests, and a sweep at a chosen instant."""
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from alerts import contacts, scheduler
from core.db import db
from tests.alerts.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

PUBLIC_BASE_URL = "https://custody.example.test"
FROM_NUMBER = "+447700900000"
CHAIN = {
    "aa_scheme": ("AA scheme duty line", "+447700900101"),
    "aa_scheme_coordinator": ("AA coordinator", "+447700900102"),
    "custody_inspector": ("Inspector on duty", "+447700900103"),
    "duty_superintendent": ("Superintendent on duty", "+447700900104"),
    "local_authority_edt": ("Emergency duty team", "+447700900105"),
}


def at(text):
    """An instant on the test day, 28 November 2026 (GMT, so local = UTC): at("15:30")."""
    hours, minutes = (int(part) for part in text.split(":"))
    return datetime(2026, 11, 28, hours, minutes, tzinfo=timezone.utc)


def add_contact(app, role, name, phone, suite="DUR", window=(None, None)):
    contact = contacts.create(db.session, {"suite": suite, "role": role, "name": name, "phone": phone,
                                           "window_start": window[0], "window_end": window[1]},
                              None, app.config["CLOCK"]())
    db.session.commit()
    return contact


@pytest.fixture
def chain(app):
    """One always-on contact for every role at Durham: {role: phone}."""
    for role, (name, phone) in CHAIN.items():
        add_contact(app, role, name, phone)
    return {role: phone for role, (_, phone) in CHAIN.items()}


@pytest.fixture
def sweep(app, clock):
    """sweep(at("15:30")): the time is now 15:30 (for the fake provider too); one sweep."""
    def run(now):
        clock.set(now)
        return scheduler.run_sweep(app, now)
    return run


@pytest.fixture
def fake_twilio(clock):
    fake = FakeTwilio(clock)
    yield fake
    fake.stop()


def twilio_settings(base_url):
    return {"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": FROM_NUMBER, "PUBLIC_BASE_URL": PUBLIC_BASE_URL, "TWILIO_API_BASE_URL": base_url,
            "TWILIO_TIMEOUT_SECONDS": 0.5}


@pytest.fixture
def twilio(app, fake_twilio):
    """The app sending through the real twilio client to the fake Twilio API."""
    app.config.update(twilio_settings(fake_twilio.base_url))
    return fake_twilio


@pytest.fixture
def webhook(app, client):
    """webhook("/webhooks/twilio/inbound", {...}): a POST signed as Twilio signs it."""
    app.config.update(TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_BASE_URL=PUBLIC_BASE_URL)

    def post(path, form, signature=None):
        if signature is None:
            signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + path, form)
        return client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    return post


@pytest.fixture
def reply(webhook):
    """reply("+447700900101", "ACK 1234"): a text from a phone to our number."""
    sids = iter(range(1, 10_000))

    def send(phone, body, sid=None):
        return webhook("/webhooks/twilio/inbound", {
            "MessageSid": sid or f"SMinbound{next(sids):06d}", "From": phone, "To": FROM_NUMBER, "Body": body,
            "AccountSid": ACCOUNT_SID})
    return send


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def flask_env(database_url, instance_path):
    """The environment of a separate `flask` process on the database under test."""
    def env(**settings):
        values = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": database_url, "SECRET_KEY": "s" * 40,
                  "SMS_BACKEND": "console", "SCHEDULER_ENABLED": "0", "LOG_LEVEL": "WARNING",
                  "PYTHONUNBUFFERED": "1"}
        values.pop("FLASK_DEBUG", None)
        values.pop("WERKZEUG_RUN_MAIN", None)
        values.update({k: str(v) for k, v in settings.items()})
        return values
    return env


def flask_process(env, *args, **popen):
    return subprocess.Popen([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
