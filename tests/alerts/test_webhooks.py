"""Twilio's callbacks: signed or refused; statuses only move forward; replies act only for
known contacts about children they were texted about, and tell anyone else nothing."""
from xml.etree import ElementTree

from sqlalchemy import select

from alerts.models import Acknowledgement, InboundMessage, Message, OptOut
from core.db import db
from tests.alerts.conftest import PUBLIC_BASE_URL, at
from tests.conftest import booking

STRANGER = "+447700900999"


def book_and_call_out(api, clock, sweep):
    """A child at Durham with the AA scheme called out at 15:30 and texted."""
    clock.set(at("15:00"))
    child = api.post("/api/v1/detentions", json=booking(arrived_at=at("15:00").isoformat())).json
    clock.set(at("15:30"))
    api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "aa_scheme"})
    sweep(at("15:30"))
    return child


def answer_text(response):
    """The text of the TwiML <Message> we answered with ("" for none)."""
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return "".join(ElementTree.fromstring(response.get_data()).itertext())


def status_of(message_id):
    return db.session.scalar(select(Message.status).where(Message.id == message_id)
                             .execution_options(populate_existing=True))


def callout():
    return db.session.scalars(select(Message).where(Message.clock == "aa_callout")).one()


def test_a_callback_without_a_valid_signature_is_refused(webhook):
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    assert webhook("/webhooks/twilio/status", form, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert webhook("/webhooks/twilio/inbound", {"MessageSid": "SM2", "From": STRANGER, "Body": "hi"},
                   signature="").status_code == 403


def test_a_signature_for_another_url_is_refused(webhook):
    from twilio.request_validator import RequestValidator

    from tests.alerts.fake_twilio import AUTH_TOKEN
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    elsewhere = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + "/webhooks/twilio/inbound", form)
    assert webhook("/webhooks/twilio/status", form, signature=elsewhere).status_code == 403


def test_without_an_auth_token_every_callback_is_refused(app, client):
    app.config.update(TWILIO_AUTH_TOKEN=None)
    response = client.post("/webhooks/twilio/status", data={"MessageSid": "SM1"},
                           headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 403


def test_delivery_statuses_move_forward_and_never_back(api, clock, chain, sweep, webhook):
    book_and_call_out(api, clock, sweep)
    message = callout()
    seen = []
    for status in ("queued", "sent", "delivered", "sent", "undelivered", "queued"):
        response = webhook("/webhooks/twilio/status", {"MessageSid": message.provider_sid, "MessageStatus": status})
        assert response.status_code == 204
        seen.append(status_of(message.id))
    assert seen == ["sent", "sent", "delivered", "delivered", "delivered", "delivered"]


def test_an_undelivered_text_is_final_and_says_why(api, clock, chain, sweep, webhook):
    book_and_call_out(api, clock, sweep)
    message = callout()
    webhook("/webhooks/twilio/status", {"MessageSid": message.provider_sid, "MessageStatus": "undelivered",
                                        "ErrorCode": "30003"})
    webhook("/webhooks/twilio/status", {"MessageSid": message.provider_sid, "MessageStatus": "delivered"})
    db.session.refresh(message)
    assert (message.status, message.error_code) == ("undelivered", "30003")


def test_delivery_does_not_stop_a_clock(api, clock, chain, sweep, webhook):
    book_and_call_out(api, clock, sweep)
    webhook("/webhooks/twilio/status", {"MessageSid": callout().provider_sid, "MessageStatus": "delivered"})
    assert [m.clock for m in sweep(at("16:30")).sent] == ["aa_callout"]  # the reminder still goes


def test_a_status_for_an_unknown_message_is_ignored(webhook):
    assert webhook("/webhooks/twilio/status", {"MessageSid": "SMnobody", "MessageStatus": "delivered"}).status_code == 204


def test_eta_acknowledges_and_is_shown_with_the_text(api, clock, chain, sweep, reply):
    child = book_and_call_out(api, clock, sweep)
    clock.set(at("15:35"))
    answer = answer_text(reply(chain["aa_scheme"], f"ETA {child['sms_code']} 40"))
    assert answer == f"Thank you. {child['sms_code']}: ETA 40 min noted."
    [shown] = [m for m in api.get(f"/api/v1/messages?detention_id={child['id']}").json if m["clock"] == "aa_callout"]
    assert (shown["acknowledged_at"], shown["eta_minutes"]) == ("2026-11-28T15:35:00Z", 40)
    assert sweep(at("16:30")).sent == []


def test_an_ack_from_one_role_leaves_the_others_escalating(api, clock, chain, sweep, reply):
    child = book_and_call_out(api, clock, sweep)
    clock.set(at("15:40"))
    reply(chain["aa_scheme"], f"ACK {child['sms_code']}")
    acks = db.session.scalars(select(Acknowledgement)).all()
    assert [(a.clock, a.role) for a in acks] == [("aa_callout", "aa_scheme")]
    assert [m.role for m in sweep(at("17:30")).sent] == ["aa_scheme_coordinator"]


def test_an_ack_about_a_child_the_contact_was_never_texted_about_reveals_nothing(api, clock, chain, sweep, reply):
    book_and_call_out(api, clock, sweep)
    clock.set(at("15:31"))
    other = api.post("/api/v1/detentions", json=booking(arrived_at=at("15:31").isoformat(),
                                                        custody_record_number="DU-26-000999")).json
    answer = answer_text(reply(chain["aa_scheme"], f"ACK {other['sms_code']}"))
    assert "reply ACK <code>" in answer and other["sms_code"] not in answer
    assert db.session.scalars(select(Acknowledgement)).all() == []


def test_an_unknown_number_gets_help_and_nothing_about_any_child(api, clock, chain, sweep, reply):
    child = book_and_call_out(api, clock, sweep)
    answer = answer_text(reply(STRANGER, f"ACK {child['sms_code']}"))
    assert "reply ACK <code>" in answer
    for secret in (child["sms_code"], "aged", "Durham", "Jordan", "Ellis"):
        assert secret not in answer
    assert db.session.scalars(select(Acknowledgement)).all() == []
    assert db.session.scalar(select(InboundMessage.action)) == "unknown_sender"


def test_anything_else_gets_the_same_help_text(api, clock, chain, sweep, reply):
    book_and_call_out(api, clock, sweep)
    known = answer_text(reply(chain["aa_scheme"], "on my way"))
    unknown = answer_text(reply(STRANGER, "on my way"))
    assert known == unknown and known.startswith("Custody alerts: reply ACK <code>")


def test_a_reply_delivered_twice_is_acted_on_once(api, clock, chain, sweep, reply):
    child = book_and_call_out(api, clock, sweep)
    first = reply(chain["aa_scheme"], f"ETA {child['sms_code']} 20", sid="SMtwice")
    second = reply(chain["aa_scheme"], f"ETA {child['sms_code']} 20", sid="SMtwice")
    assert first.status_code == second.status_code == 200
    assert len(db.session.scalars(select(Acknowledgement)).all()) == 1
    assert len(db.session.scalars(select(InboundMessage)).all()) == 1


def test_stop_and_start_are_recorded(api, clock, chain, reply):
    assert answer_text(reply(chain["custody_inspector"], "STOP")) == ""
    assert db.session.get(OptOut, chain["custody_inspector"]).opted_out is True
    reply(chain["custody_inspector"], " start ")
    db.session.expire_all()
    assert db.session.get(OptOut, chain["custody_inspector"]).opted_out is False


def test_a_released_childs_code_is_not_acknowledged(api, clock, chain, sweep, reply):
    child = book_and_call_out(api, clock, sweep)
    clock.set(at("15:45"))
    api.post(f"/api/v1/detentions/{child['id']}/release", json={"outcome": "no_further_action"})
    answer = answer_text(reply(chain["aa_scheme"], f"ACK {child['sms_code']}"))
    assert answer.startswith("Custody alerts: reply ACK <code>")


def test_a_callback_missing_its_message_sid_is_a_bad_request(webhook):
    assert webhook("/webhooks/twilio/status", {"MessageStatus": "sent"}).status_code == 400
