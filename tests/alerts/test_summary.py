"""What the board shows about each child's texts, read for the whole board at once."""
from sqlalchemy import event, select

from alerts.models import EscalationStep
from alerts.summary import AlertSummary, alert_summaries
from core.db import db
from custody.models import Detention
from tests.alerts.conftest import add_contact, at
from tests.conftest import booking


def book(api, clock, number):
    clock.set(at("02:00"))
    return api.post("/api/v1/detentions", json=booking(
        arrived_at=at("02:00").isoformat(), custody_record_number=f"DU-26-{number:06d}")).json


def count_queries(action):
    statements = []

    def count(*args):
        statements.append(args[2])
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len(statements)


def test_a_child_with_nothing_sent_has_an_empty_summary(app):
    assert alert_summaries(db.session, [41], at("03:00")) == {41: AlertSummary()}


def test_the_summary_counts_texts_acks_and_the_latest_eta(api, clock, chain, sweep, reply):
    child = book(api, clock, 1)
    clock.set(at("02:10"))
    api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "aa_scheme"})
    sweep(at("02:10"))
    clock.set(at("02:20"))
    reply(chain["aa_scheme"], f"ETA {child['sms_code']} 45")
    summary = alert_summaries(db.session, [child["id"]], at("02:30"))[child["id"]]
    assert (summary.sent, summary.acknowledged, summary.eta_minutes, summary.eta_at) == (1, 1, 45, at("03:05"))


def test_the_summary_names_roles_with_no_one_to_text_and_permanent_failures(app, api, clock, sweep, twilio):
    add_contact(app, "custody_inspector", "Inspector", "+447700900103")
    child = book(api, clock, 1)
    twilio.fail_next("21211")
    sweep(at("08:15"))
    summary = alert_summaries(db.session, [child["id"]], at("08:15"))[child["id"]]
    assert summary.no_one_to_text == ["duty_superintendent"]
    assert len(summary.failed) == 1 and summary.failed[0].startswith("custody_inspector (Inspector): provider refused")


def test_the_board_reads_summaries_in_a_fixed_number_of_queries(api, clock, chain, sweep):
    for number in range(12):
        book(api, clock, number)
    sweep(at("08:15"))
    ids = db.session.scalars(select(Detention.id)).all()
    few, few_queries = count_queries(lambda: alert_summaries(db.session, ids[:2], at("08:15")))
    many, many_queries = count_queries(lambda: alert_summaries(db.session, ids, at("08:15")))
    assert few_queries == many_queries == 4
    assert {s.sent for s in many.values()} == {3}
    assert db.session.scalar(select(EscalationStep.status).limit(1)) == "done"
