"""/api/v1/messages (everyone who reads) and /api/v1/contacts (admin), and the record's texts."""
import pytest

from tests.alerts.conftest import at
from tests.conftest import booking

CONTACT = {"suite": "DUR", "role": "aa_scheme", "name": "AA scheme duty line", "phone": "07700 900123"}


@pytest.fixture
def admin(api_as):
    return api_as("admin")


def book(api, clock):
    clock.set(at("02:00"))
    return api.post("/api/v1/detentions", json=booking(arrived_at=at("02:00").isoformat())).json


def test_the_sms_log_lists_each_text_with_the_fields_the_spec_names(api_as, api, clock, chain, sweep):
    child = book(api, clock)
    sweep(at("02:30"))
    [message] = api_as("manager").get(f"/api/v1/messages?detention_id={child['id']}").json
    assert {"id", "detention_id", "clock", "step", "role", "to", "body", "status", "due_at", "sent_at", "late",
            "acknowledged_at", "eta_minutes"} <= set(message)
    assert (message["clock"], message["step"], message["role"], message["to"], message["status"]) == (
        "aa_not_requested", 0, "custody_inspector", chain["custody_inspector"], "sent")
    assert (message["due_at"], message["sent_at"], message["late"]) == ("2026-11-28T02:30:00Z",
                                                                         "2026-11-28T02:30:00Z", False)
    assert message["contact_name"] == "Inspector on duty"


def test_the_sms_log_filters_by_child_and_status(api, clock, chain, sweep):
    child = book(api, clock)
    sweep(at("08:15"))
    assert len(api.get(f"/api/v1/messages?detention_id={child['id']}").json) == 3
    assert api.get(f"/api/v1/messages?detention_id={child['id'] + 1}").json == []
    assert api.get("/api/v1/messages?status=failed").json == []
    assert api.get("/api/v1/messages?status=nonsense").status_code == 422


def test_the_record_lists_the_childs_texts(api, clock, chain, sweep):
    child = book(api, clock)
    sweep(at("02:30"))
    record = api.get(f"/api/v1/detentions/{child['id']}").json
    assert [(m["clock"], m["role"], m["status"]) for m in record["messages"]] == [
        ("aa_not_requested", "custody_inspector", "sent")]


def test_an_admin_adds_a_contact_with_the_number_in_e164(admin):
    created = admin.post("/api/v1/contacts", json={**CONTACT, "window_start": "08:00", "window_end": "20:00"})
    assert created.status_code == 201, created.json
    assert created.json == {"id": created.json["id"], "suite": "DUR", "role": "aa_scheme",
                            "name": "AA scheme duty line", "phone": "+447700900123", "window_start": "08:00",
                            "window_end": "20:00", "active": True}
    assert [c["phone"] for c in admin.get("/api/v1/contacts").json] == ["+447700900123"]


@pytest.mark.parametrize("change,field", [
    ({"phone": "12345"}, "phone"),
    ({"phone": "020 7946 0000"}, "phone"),          # a landline cannot receive texts
    ({"phone": "not a number"}, "phone"),
    ({"role": "sergeant"}, "role"),
    ({"suite": "XXX"}, "suite"),
    ({"window_start": "08:00"}, "window_end"),
    ({"window_start": "25:00", "window_end": "08:00"}, "window_start"),
    ({"window_start": "08:00", "window_end": "08:00"}, "window_end"),
    ({"pager": "123"}, "pager"),
])
def test_a_contact_that_cannot_be_texted_is_refused_with_a_reason(admin, change, field):
    refused = admin.post("/api/v1/contacts", json={**CONTACT, **change})
    assert refused.status_code == 422 and field in refused.json["error"]["fields"], refused.json
    assert admin.get("/api/v1/contacts").json == []


def test_a_real_uk_mobile_is_accepted(admin):
    assert admin.post("/api/v1/contacts", json={**CONTACT, "phone": "+44 7911 123456"}).json["phone"] == "+447911123456"


def test_an_admin_changes_and_removes_a_contact(admin):
    contact = admin.post("/api/v1/contacts", json=CONTACT).json
    changed = admin.patch(f"/api/v1/contacts/{contact['id']}", json={"window_start": "20:00", "window_end": "08:00"})
    assert (changed.status_code, changed.json["window_start"], changed.json["window_end"]) == (200, "20:00", "08:00")
    cleared = admin.patch(f"/api/v1/contacts/{contact['id']}", json={"window_start": "", "window_end": ""})
    assert (cleared.json["window_start"], cleared.json["window_end"]) == (None, None)
    assert admin.patch(f"/api/v1/contacts/{contact['id']}", json={"window_end": "09:00"}).status_code == 422
    assert admin.delete(f"/api/v1/contacts/{contact['id']}").status_code == 204
    assert admin.get("/api/v1/contacts").json == []
    assert admin.delete(f"/api/v1/contacts/{contact['id']}").status_code == 404


def test_contacts_are_for_admins_only(api, api_as):
    assert api.get("/api/v1/contacts").status_code == 403
    assert api_as("manager").post("/api/v1/contacts", json=CONTACT).status_code == 403


def test_changes_to_contacts_are_audited(app, admin):
    from sqlalchemy import select

    from core.db import db
    from custody.audit import AuditEvent
    contact = admin.post("/api/v1/contacts", json=CONTACT).json
    admin.patch(f"/api/v1/contacts/{contact['id']}", json={"name": "Day line"})
    admin.delete(f"/api/v1/contacts/{contact['id']}")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "contact")).all()
    assert [(e.action, e.after.get("name")) for e in events] == [
        ("created", "AA scheme duty line"), ("amended", "Day line"), ("removed", None)]


def test_the_openapi_document_describes_messages_and_contacts(api):
    document = api.get("/api/v1/openapi.json").json
    assert {"/api/v1/messages", "/api/v1/contacts", "/api/v1/contacts/{contact_id}"} <= set(document["paths"])
    record = document["components"]["schemas"]["DetentionRecordOut"]["properties"]["messages"]
    assert record["items"] == {"$ref": "#/components/schemas/MessageOut"}
