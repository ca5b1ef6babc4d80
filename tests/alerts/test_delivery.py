"""Handing texts to Twilio (the real client, against the fake API on loopback): what is
posted, what is retried, what is given up on, and how a lost answer never doubles a text."""
from datetime import timedelta

from sqlalchemy import delete, select

from alerts import sweep as alerts_sweep
from alerts.models import Message, MessageAttempt
from core.db import db
from tests.alerts.conftest import FROM_NUMBER, PUBLIC_BASE_URL, at
from tests.conftest import booking


def book(api, clock):
    clock.set(at("02:00"))
    return api.post("/api/v1/detentions", json=booking(arrived_at=at("02:00").isoformat())).json


def the_message():
    return db.session.scalars(select(Message).execution_options(populate_existing=True)).one()


def attempts():
    return [a.outcome for a in db.session.scalars(select(MessageAttempt).order_by(MessageAttempt.id))]


def test_the_post_carries_the_number_body_validity_and_status_callback(api, clock, chain, sweep, twilio):
    book(api, clock)
    sweep(at("02:30"))
    [posted] = twilio.posts
    assert posted["To"] == chain["custody_inspector"] and posted["From"] == FROM_NUMBER
    assert posted["Body"].startswith("Durham custody: no AA requested for a child aged 17")
    assert posted["StatusCallback"] == PUBLIC_BASE_URL + "/webhooks/twilio/status"
    assert posted["ValidityPeriod"] == "1800"
    message = the_message()
    assert (message.status, message.provider_sid, message.sent_at) == ("sent", twilio.created[0]["sid"], at("02:30"))
    assert attempts() == ["sent"]


def test_a_messaging_service_sid_is_sent_as_such(app, api, clock, chain, sweep, twilio):
    app.config["TWILIO_FROM"] = "MG" + "1" * 32
    book(api, clock)
    sweep(at("02:30"))
    assert twilio.posts[0]["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in twilio.posts[0]


def test_a_refused_connection_is_retried_with_backoff(api, clock, chain, sweep, twilio):
    book(api, clock)
    with twilio.refusing():
        assert sweep(at("02:30")).sent == []
    message = the_message()
    assert (message.status, message.attempts, message.next_attempt_at) == ("pending", 1, at("02:30") + timedelta(seconds=30))
    assert sweep(at("02:30") + timedelta(seconds=29)).sent == []
    assert len(sweep(at("02:31")).sent) == 1
    assert len(twilio.created) == 1 and attempts() == ["retry", "sent"]


def test_backoff_grows_with_each_failure(api, clock, chain, sweep, twilio):
    book(api, clock)
    twilio.fail_next("429", "429", "429")
    now = at("02:30")
    waits = []
    for _ in range(3):
        sweep(now)
        waits.append(the_message().next_attempt_at - now)
        now = the_message().next_attempt_at
    assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert len(sweep(now).sent) == 1 and len(twilio.created) == 1


def test_an_invalid_number_fails_for_good_and_is_shown(api, clock, chain, sweep, twilio):
    child = book(api, clock)
    twilio.fail_next("21211")
    report = sweep(at("02:30"))
    assert report.sent == [] and len(report.failed) == 1
    sweep(at("03:30"))
    assert len(twilio.posts) == 1
    shown = api.get(f"/api/v1/messages?detention_id={child['id']}&status=failed").json
    assert [(m["error_code"], "not a valid phone number" in m["error_message"]) for m in shown] == [("21211", True)]
    assert attempts() == ["permanent"]


def test_an_unsubscribed_number_fails_for_good(api, clock, chain, sweep, twilio):
    book(api, clock)
    twilio.fail_next("21610")
    sweep(at("02:30"))
    sweep(at("02:40"))
    assert (the_message().status, the_message().error_code, len(twilio.posts)) == ("failed", "21610", 1)


def test_a_timeout_after_the_request_went_out_is_reconciled_not_resent(api, clock, chain, sweep, twilio):
    book(api, clock)
    twilio.fail_next("slow")  # Twilio queues it, but its answer comes after the client gave up
    assert sweep(at("02:30")).sent == []
    assert the_message().status == "unknown" and len(twilio.created) == 1
    assert sweep(at("02:30") + timedelta(seconds=10)).sent == []  # not yet: give the list time
    sweep(at("02:31"))
    message = the_message()
    assert (message.status, message.provider_sid) == ("sent", twilio.created[0]["sid"])
    assert len(twilio.posts) == 1 and twilio.list_requests[0]["To"] == chain["custody_inspector"]
    assert attempts() == ["unknown", "reconciled"]


def test_a_message_list_that_cannot_be_read_is_looked_at_again_later_and_the_sweep_carries_on(
        api, clock, chain, sweep, twilio):
    book(api, clock)
    twilio.fail_next("slow")
    sweep(at("02:30"))
    twilio.fail_next_lists(1)  # twilio-python raises a bare TwilioException for a list page that is not 200
    assert sweep(at("02:31")).sent == []
    assert alerts_sweep.last_sweep_at(db.session) == at("02:31")  # the sweep finished
    message = the_message()
    assert (message.status, message.next_attempt_at) == ("unknown", at("02:31") + timedelta(seconds=30))
    assert attempts() == ["unknown", "unknown"]
    assert "could not check" in db.session.scalars(select(MessageAttempt.detail).order_by(MessageAttempt.id)).all()[-1]
    sweep(at("02:32"))
    assert (the_message().status, len(twilio.posts)) == ("sent", 1)
    assert attempts() == ["unknown", "unknown", "reconciled"]


def test_a_lost_answer_is_found_however_many_texts_that_number_had_since(api, clock, chain, sweep, twilio):
    book(api, clock)
    twilio.fail_next("slow")
    sweep(at("02:30"))
    for number in range(250):  # a busy duty line: more than two pages of texts since the lost answer
        twilio._queue({"To": chain["custody_inspector"], "From": FROM_NUMBER, "Body": f"another text {number}"})
    sweep(at("02:31"))
    message = the_message()
    assert (message.status, message.provider_sid) == ("sent", twilio.created[0]["sid"])
    assert len(twilio.posts) == 1 and attempts() == ["unknown", "reconciled"]
    assert [r.get("PageToken") is not None for r in twilio.list_requests] == [False, True, True]


def test_a_500_that_never_queued_the_text_is_sent_again_once(api, clock, chain, sweep, twilio):
    book(api, clock)
    twilio.fail_next("500")
    sweep(at("02:30"))
    assert the_message().status == "unknown" and twilio.created == []
    report = sweep(at("02:31"))
    assert len(report.sent) == 1 and len(twilio.created) == 1 and len(twilio.posts) == 2
    assert attempts() == ["unknown", "not_found", "sent"]


def test_a_500_that_did_queue_the_text_is_not_sent_again(api, clock, chain, sweep, twilio):
    book(api, clock)
    twilio.fail_next("500-queued")
    sweep(at("02:30"))
    sweep(at("02:31"))
    assert len(twilio.created) == 1 and len(twilio.posts) == 1 and the_message().status == "sent"


def test_a_worker_that_died_mid_send_leaves_a_text_that_is_reconciled(api, clock, chain, sweep, twilio):
    book(api, clock)
    sent = sweep(at("02:30")).sent[0]
    # As if the worker had posted it and died before recording the answer.
    sent.status, sent.provider_sid, sent.next_attempt_at = "sending", None, at("02:30") + timedelta(minutes=5)
    db.session.commit()
    assert sweep(at("02:33")).sent == []  # its lease has not run out: another worker may be mid-call
    sweep(at("02:36"))
    assert (the_message().status, len(twilio.posts)) == ("sent", 1)


def test_a_text_cut_short_by_a_dead_worker_is_found_even_when_the_first_look_fails_long_after(
        api, clock, chain, sweep, twilio):
    book(api, clock)
    sent = sweep(at("02:30")).sent[0]
    # Posted at 02:30 by a worker that died before recording the answer: no attempt on record.
    sent.status, sent.provider_sid, sent.next_attempt_at = "sending", None, at("02:35")
    db.session.commit()
    db.session.execute(delete(MessageAttempt))
    db.session.commit()
    twilio.fail_next_lists(1)
    sweep(at("02:50"))  # no worker until 02:50, and then the provider's list cannot be read
    assert the_message().status == "unknown" and attempts() == ["unknown"]
    sweep(at("02:51"))
    assert (the_message().status, the_message().provider_sid, len(twilio.posts)) == \
        ("sent", twilio.created[0]["sid"], 1)
    assert attempts() == ["unknown", "reconciled"]


def test_a_text_whose_clock_stopped_while_waiting_to_retry_is_cancelled(api, clock, chain, sweep, twilio):
    child = book(api, clock)
    twilio.fail_next("429")
    sweep(at("02:30"))
    clock.set(at("02:30"))
    api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "parent_guardian"})
    sweep(at("02:31"))
    message = the_message()
    assert (message.status, message.error_message) == ("cancelled", "not sent: its clock stopped")
    assert twilio.created == []


def test_a_provider_that_keeps_refusing_is_given_up_on_and_shown(api, clock, chain, sweep, twilio):
    book(api, clock)
    twilio.fail_next(*["429"] * 10)
    now = at("02:30")
    for _ in range(10):
        sweep(now)
        now += timedelta(minutes=15)
    message = the_message()
    assert (message.status, message.attempts, len(twilio.posts)) == ("failed", 10, 10)


def test_the_console_backend_stores_the_text_as_sent(app, api, clock, chain, sweep):
    assert app.config["SMS_BACKEND"] == "console"
    book(api, clock)
    sweep(at("02:30"))
    assert the_message().status == "sent" and the_message().provider_sid.startswith("console-")
