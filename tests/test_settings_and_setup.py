"""Settings fail loudly; `flask setup` gives a fresh installation its suites and first admin."""
import pytest
from sqlalchemy import select

import config
from auth.models import User
from core.db import db
from custody.models import Suite


@pytest.mark.parametrize("name,value", [
    ("SWEEP_SECONDS", "five"), ("SCHEDULER_ENABLED", "maybe"), ("AA_TARGET_MINUTES", "0"),
    ("SMS_BACKEND", "pigeon"), ("DEFAULT_TIMEZONE", "Mars/Olympus"), ("DATABASE_URL", "mysql://x/y"),
    ("SECRET_KEY", "short"),
])
def test_a_malformed_setting_stops_the_app_with_its_name(tmp_path, name, value):
    with pytest.raises(config.SettingError, match=name):
        config.from_environment({name: value}, str(tmp_path))


def test_twilio_needs_all_its_settings(tmp_path):
    with pytest.raises(config.SettingError, match="TWILIO_FROM"):
        config.from_environment({"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"},
                                str(tmp_path))


def test_console_is_the_default_backend_without_twilio(tmp_path):
    assert config.from_environment({}, str(tmp_path))["SMS_BACKEND"] == "console"


def test_setup_creates_the_first_admin_once_and_prints_how_to_sign_in(app, runner):
    db.session.execute(User.__table__.delete().where(User.role == "admin"))
    db.session.commit()
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0 and "Sign in at http://127.0.0.1:5000/login as admin with password:" in first.output
    second = runner.invoke(args=["setup"])
    assert "Admin exists" in second.output
    assert len(db.session.scalars(select(User).where(User.role == "admin")).all()) == 1
    assert {s.code for s in db.session.scalars(select(Suite))} == {"DUR", "DAR", "PET"}


def test_suites_api_is_admin_only_for_changes(api, api_as):
    assert [s["code"] for s in api.get("/api/v1/suites").json] == ["DAR", "DUR", "PET"]
    assert api.post("/api/v1/suites", json={"code": "SUN", "name": "Sunderland"}).status_code == 403
    admin = api_as("admin")
    assert admin.post("/api/v1/suites", json={"code": "SUN", "name": "Sunderland"}).status_code == 201
    assert admin.post("/api/v1/suites", json={"code": "SUN", "name": "Again"}).status_code == 409
    bad_zone = admin.patch("/api/v1/suites/SUN", json={"timezone": "Nowhere/Atlantis"})
    assert bad_zone.status_code == 422 and "timezone" in bad_zone.json["error"]["fields"]
    assert admin.patch("/api/v1/suites/SUN", json={"name": "Sunderland Central"}).json["name"] == "Sunderland Central"
