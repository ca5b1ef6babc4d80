"""SPEC §3.9: every create and every change writes an audit event — suites and users too,
whether an admin makes them through the API or the admin pages."""
from sqlalchemy import select

from core.db import db
from custody.audit import AuditEvent
from tests.conftest import T0, csrf_token_from


def _events(entity, entity_id=None):
    query = select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return [(e.action, e.user.username if e.user else None, e.before, e.after) for e in db.session.scalars(query)]


def test_suite_created_and_changed_through_the_api_is_audited(api_as):
    admin = api_as("admin")
    assert admin.post("/api/v1/suites", json={"code": "sun", "name": "Sunderland"}).status_code == 201
    assert admin.patch("/api/v1/suites/SUN", json={"name": "Sunderland Central", "timezone": "Europe/London"}
                       ).status_code == 200
    assert admin.patch("/api/v1/suites/SUN", json={"timezone": "Nowhere/Atlantis"}).status_code == 422
    assert _events("suite") == [
        ("created", "admin_ops", None,
         {"code": "SUN", "name": "Sunderland", "timezone": "Europe/London", "active": True}),
        ("amended", "admin_ops", {"name": "Sunderland"}, {"name": "Sunderland Central"}),
    ]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "suite")).first()
    assert event.recorded_at == T0 and event.detention_id is None


def test_suite_retired_on_the_admin_page_is_audited(login):
    client = login("admin")
    page = client.get("/admin/suites").get_data(as_text=True)
    assert _events("suite") == []  # seeded from the configuration file, not by a user
    from custody.models import Suite
    suite = db.session.scalar(select(Suite).where(Suite.code == "PET"))
    response = client.post(f"/admin/suites/{suite.id}", data={"csrf_token": csrf_token_from(page),
                                                              "name": "Peterlee", "timezone": suite.timezone})
    assert response.status_code == 302
    assert _events("suite") == [("amended", "admin_ops", {"active": True}, {"active": False})]


def test_users_added_and_stopped_by_an_admin_are_audited_without_the_password(login):
    client = login("admin")
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    assert client.post("/admin/users", data={"username": "sgt_day", "role": "sergeant",
                                             "display_name": "Sergeant Day", "csrf_token": token}).status_code == 302
    from auth.models import User
    day = db.session.scalar(select(User).where(User.username == "sgt_day"))
    assert client.post(f"/admin/users/{day.id}/active", data={"active": "0", "csrf_token": token}).status_code == 302
    assert _events("user", day.id) == [
        ("created", "admin_ops", None,
         {"username": "sgt_day", "role": "sergeant", "display_name": "Sergeant Day", "active": True}),
        ("amended", "admin_ops", {"active": True}, {"active": False}),
    ]
