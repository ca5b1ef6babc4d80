"""The message log, the record's texts, the contacts pages, and the system watching itself."""
from datetime import timedelta

from flask import render_template

from alerts.watch import NO_SWEEP_BANNER
from core.db import db
from custody.booking import get_detention
from custody.record import DetentionRecord
from tests.alerts.conftest import add_contact, at
from tests.conftest import booking, csrf_token_from


def book(api, clock):
    clock.set(at("02:00"))
    return api.post("/api/v1/detentions", json=booking(arrived_at=at("02:00").isoformat())).json


def test_the_message_log_shows_every_text_and_filters_them(login, api, clock, chain, sweep):
    child = book(api, clock)
    sweep(at("08:15"))  # a catch-up after downtime: three texts
    page = login("manager").get("/messages")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('class="govuk-table__row app-message__body"') == 3
    assert child["reference"] in html and "Inspector on duty" in html and chain["custody_inspector"] in html
    assert "late" in html
    only = login("manager").get("/messages?role=duty_superintendent").get_data(as_text=True)
    assert only.count('app-message__body') == 1 and "Superintendent on duty" in only
    assert "No texts match." in login("manager").get("/messages?status=failed").get_data(as_text=True)
    late = login("manager").get("/messages?suite=DUR&late=1").get_data(as_text=True)
    assert late.count("app-message__body") == 2  # 02:30 and 07:30 were late; 08:15 went on time
    assert "No texts match." in login("manager").get("/messages?suite=DAR").get_data(as_text=True)
    assert login("manager").get(f"/messages?reference={child['reference'].lower()}").get_data(
        as_text=True).count("app-message__body") == 3


def test_the_message_log_is_in_the_navigation(login):
    assert 'href="/messages"' in login("sergeant").get("/").get_data(as_text=True)
    html = login("admin").get("/").get_data(as_text=True)
    assert 'href="/admin/contacts"' in html


def test_the_record_partial_lists_the_childs_texts_and_who_had_no_one(app, api, clock, sweep):
    add_contact(app, "custody_inspector", "Night inspector", "+447700900202", window=("20:00", "08:00"))
    child = book(api, clock)
    sweep(at("07:59"))
    sweep(at("08:15"))
    detention = get_detention(db.session, child["id"])
    with app.test_request_context():
        html = render_template("alerts/_record_messages.html", detention=detention,
                               record=DetentionRecord(detention, at("08:15"), db.session))
    assert "Night inspector" in html and "+447700900202" in html
    assert "No one to text: Duty superintendent" in html


def test_admin_adds_changes_and_removes_a_contact_through_the_pages(login):
    client = login("admin")
    form = client.get("/admin/contacts/new?suite=DAR").get_data(as_text=True)
    added = client.post("/admin/contacts/new", data={
        "csrf_token": csrf_token_from(form), "suite": "DAR", "role": "custody_inspector", "name": "Night inspector",
        "phone": "07700 900321", "window_start": "20:00", "window_end": "08:00"})
    assert added.status_code == 302
    listing = client.get("/admin/contacts").get_data(as_text=True)
    assert "Night inspector" in listing and "+447700900321" in listing and "20:00–08:00" in listing
    edit_url = "/admin/contacts/1/edit"
    page = client.get(edit_url).get_data(as_text=True)
    assert 'value="+447700900321"' in page
    refused = client.post(edit_url, data={"csrf_token": csrf_token_from(page), "suite": "DAR",
                                          "role": "custody_inspector", "name": "Night inspector",
                                          "phone": "0123", "window_start": "20:00", "window_end": "08:00"})
    assert refused.status_code == 422 and "This is not a valid phone number." in refused.get_data(as_text=True)
    removed = client.post("/admin/contacts/1/remove", data={"csrf_token": csrf_token_from(page)})
    assert removed.status_code == 302
    assert "+447700900321" not in client.get("/admin/contacts").get_data(as_text=True)


def test_the_contacts_page_warns_of_roles_with_no_one(login, chain):
    html = login("admin").get("/admin/contacts").get_data(as_text=True)
    assert html.count("No one to text for:") == 2  # Darlington and Peterlee have no chain; Durham is full


def test_the_contacts_pages_are_for_admins(login):
    assert login("sergeant").get("/admin/contacts").status_code == 403


def test_every_page_warns_when_no_sweep_has_completed_for_two_minutes(login, clock, sweep):
    client = login("sergeant")
    assert NO_SWEEP_BANNER in client.get("/").get_data(as_text=True)
    sweep(clock())
    assert NO_SWEEP_BANNER not in client.get("/").get_data(as_text=True)
    clock.advance(minutes=2, seconds=1)
    assert NO_SWEEP_BANNER in client.get("/messages").get_data(as_text=True)


def test_healthz_reports_the_last_sweep_and_the_scheduler(client, clock, sweep):
    before = client.get("/healthz").json
    assert before["sweep"] == {"last_completed_at": None, "overdue": True}
    assert before["scheduler"] == "disabled"  # tests run with SCHEDULER_ENABLED=0
    sweep(clock() - timedelta(seconds=30))
    assert client.get("/healthz").json["sweep"] == {"last_completed_at": "2026-11-28T11:59:30Z", "overdue": False}
