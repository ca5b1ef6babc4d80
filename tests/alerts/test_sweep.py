"""The sweep: each due step is texted once, to whoever is on duty, or recorded why not."""
from datetime import timedelta

from sqlalchemy import select, text

from alerts import delivery, senders
from alerts import sweep as sweep_module
from alerts.models import EscalationStep, Message, OptOut, WorkerHeartbeat
from core.db import db
from tests.alerts.conftest import add_contact, at
from tests.conftest import booking


def book(api, clock, when="02:00", **overrides):
    clock.set(at(when))
    return api.post("/api/v1/detentions", json=booking(arrived_at=at(when).isoformat(), **overrides)).json


def messages():
    return db.session.scalars(select(Message).order_by(Message.id)).all()


def step_status(clock_name):
    return db.session.scalar(select(EscalationStep.status).where(EscalationStep.clock == clock_name)
                             .order_by(EscalationStep.due_at).limit(1))


def test_a_step_is_texted_once_however_often_it_is_swept(api, clock, chain, sweep):
    book(api, clock)
    reports = [sweep(at("02:30")) for _ in range(3)] + [sweep(at("02:31"))]
    assert [len(r.sent) for r in reports] == [1, 0, 0, 0]
    assert [(m.role, m.to, m.status) for m in messages()] == [("custody_inspector", chain["custody_inspector"],
                                                               "sent")]


def test_nothing_is_sent_before_a_step_is_due(api, clock, chain, sweep):
    book(api, clock)
    assert sweep(at("02:29")).sent == [] and messages() == []


def test_a_step_whose_clock_stopped_is_cancelled_not_sent(api, clock, chain, sweep):
    child = book(api, clock)
    clock.set(at("02:20"))
    api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "parent_guardian"})
    # Planned at booking, stopped by the request before it fell due.
    assert sweep(at("02:30")).sent == []
    assert step_status("aa_not_requested") == "cancelled"


def test_after_downtime_each_step_still_running_is_sent_once_and_marked_late(api, clock, chain, sweep):
    child = book(api, clock)
    clock.set(at("09:00"))
    api.post(f"/api/v1/detentions/{child['id']}/aa-requests", json={"aa_type": "parent_guardian"})
    report = sweep(at("09:00"))  # the worker was down from 02:00
    assert sorted((m.clock, m.step, m.late) for m in report.sent) == [
        ("review_due", 0, True), ("review_due", 1, True)]
    assert step_status("aa_not_requested") == "cancelled"  # its clock stopped at 09:00: no stale text
    assert sweep(at("09:05")).sent == []


def test_a_text_sent_on_time_is_not_late(api, clock, chain, sweep):
    book(api, clock)
    assert [m.late for m in sweep(at("02:31")).sent] == [False]


def test_a_role_with_no_one_on_duty_is_recorded_as_no_one_to_text(api, clock, sweep):
    book(api, clock)
    add_contact(api.client.application, "custody_inspector", "Day inspector", "+447700900201",
                window=("08:00", "20:00"))
    report = sweep(at("02:30"))
    assert report.sent == [] and len(report.no_recipient) == 1
    assert step_status("aa_not_requested") == "no_recipient"
    assert "no custody_inspector contact on duty at 02:30" in report.no_recipient[0].outcome


def test_day_and_night_lines_share_a_role_by_local_time(app, api, clock, sweep):
    add_contact(app, "custody_inspector", "Day inspector", "+447700900201", window=("08:00", "20:00"))
    add_contact(app, "custody_inspector", "Night inspector", "+447700900202", window=("20:00", "08:00"))
    book(api, clock)
    assert [m.to for m in sweep(at("02:30")).sent] == ["+447700900202"]
    assert [m.to for m in sweep(at("07:30")).sent] == ["+447700900202"]  # review_due -30 at 07:30
    clock.set(at("07:45"))
    assert [m.to for m in sweep(at("08:15")).sent] == []  # superintendent: nobody at Durham


def test_a_window_follows_british_summer_time(app, api, clock, sweep):
    add_contact(app, "custody_inspector", "Day inspector", "+447700900201", window=("08:00", "20:00"))
    summer = at("07:10") - timedelta(days=150)   # 1 July, 07:10 UTC = 08:10 BST
    clock.set(summer - timedelta(minutes=30))
    api.post("/api/v1/detentions", json=booking(arrived_at=clock().isoformat()))
    assert [m.to for m in sweep(summer).sent] == ["+447700900201"]


def test_two_contacts_on_duty_for_a_role_are_both_texted(app, api, clock, chain, sweep):
    add_contact(app, "custody_inspector", "Second inspector", "+447700900203")
    add_contact(app, "custody_inspector", "Same phone, other name", chain["custody_inspector"])
    book(api, clock)
    assert sorted(m.to for m in sweep(at("02:30")).sent) == [chain["custody_inspector"], "+447700900203"]


def test_a_number_that_opted_out_is_shown_as_failed_and_never_tried(api, clock, chain, sweep):
    db.session.add(OptOut(phone=chain["custody_inspector"], opted_out=True, updated_at=at("01:00")))
    db.session.commit()
    book(api, clock)
    report = sweep(at("02:30"))
    assert report.sent == [] and [(m.status, m.error_code) for m in report.failed] == [("failed", "21610")]


def test_a_contact_at_another_suite_is_not_texted(app, api, clock, sweep):
    add_contact(app, "custody_inspector", "Darlington inspector", "+447700900301", suite="DAR")
    book(api, clock)
    assert sweep(at("02:30")).sent == [] and step_status("aa_not_requested") == "no_recipient"


def test_every_completed_sweep_leaves_a_heartbeat(app, sweep):
    sweep(at("02:30"))
    sweep(at("02:35"))
    beats = db.session.scalars(select(WorkerHeartbeat)).all()
    assert [(b.worker, b.last_sweep_at) for b in beats] == [(sweep_module.worker_name(), at("02:35"))]


def _plan(statement):
    dialect = db.engine.dialect.name
    compiled = str(statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    if dialect == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # tiny tables: ask what it *can* use
        return " ".join(row[0] for row in db.session.execute(text("EXPLAIN " + compiled)))
    return " ".join(str(row[-1]) for row in db.session.execute(text("EXPLAIN QUERY PLAN " + compiled)))


def test_finding_due_steps_reads_the_partial_index_of_pending_steps(app):
    query = (select(EscalationStep.id)
             .where(EscalationStep.status == sweep_module.PENDING, EscalationStep.due_at <= at("02:30"))
             .order_by(EscalationStep.due_at, EscalationStep.id).limit(1))
    assert "ix_escalation_steps_pending_due" in _plan(query)
    db.session.rollback()


def test_finding_the_next_deadline_reads_indexes_not_every_step_and_text(app):
    plan = _plan(sweep_module.next_deadlines(at("02:30")))
    assert "ix_escalation_steps_pending_due" in plan and "ix_messages_status" in plan
    db.session.rollback()


class StopWatch:
    """time.monotonic for the sweep and delivery modules: moves only when a step is processed."""

    def __init__(self):
        self.seconds = 0.0

    def monotonic(self):
        return self.seconds


def test_a_sweep_claims_nothing_once_its_budget_is_spent_steps_included(api, clock, chain, sweep, monkeypatch):
    # The lease on a text is counted from the sweep's `now`; it outlives the sweep's calls only
    # if the sweep stops claiming SEND_BUDGET_SECONDS after `now`, however long its steps took.
    for number in range(3):
        book(api, clock, custody_record_number=f"DU-26-00010{number}")
    watch = StopWatch()
    monkeypatch.setattr(sweep_module, "time", watch)
    monkeypatch.setattr("alerts.delivery.time", watch)
    process_step = sweep_module.process_step

    def slow_step(*args):
        claimed = process_step(*args)
        watch.seconds += 40  # a backlog of steps takes most of the budget
        return claimed
    monkeypatch.setattr(sweep_module, "process_step", slow_step)
    first = sweep(at("02:30"))
    # Two steps in 80 s, each followed by its text: the budget of 60 s is spent.
    assert len(first.sent) == 2 and first.out_of_time
    due = db.session.scalars(select(EscalationStep.status).where(EscalationStep.clock == "aa_not_requested")
                             .order_by(EscalationStep.id)).all()
    assert due == ["done", "done", "pending"]  # the third waits for the next sweep
    second = sweep(at("02:31"))
    assert len(second.sent) == 1 and not second.out_of_time and {m.status for m in messages()} == {"sent"}


def test_each_step_is_texted_before_the_next_is_claimed(api, clock, chain, sweep, twilio, monkeypatch):
    # A backlog of steps must not hold back the texts of the first: each goes as its step is done.
    for number in range(3):
        book(api, clock, custody_record_number=f"DU-26-00010{number}")
    posted_before_each_step = []
    process_step = sweep_module.process_step

    def noting(*args):
        posted_before_each_step.append(len(twilio.posts))
        return process_step(*args)
    monkeypatch.setattr(sweep_module, "process_step", noting)
    assert len(sweep(at("02:30")).sent) == 3
    assert posted_before_each_step == [0, 1, 2]


def test_a_text_is_on_record_as_being_sent_before_the_provider_has_it(api, clock, chain, sweep, twilio,
                                                                        monkeypatch):
    # Exactly once: a worker that dies during the call leaves a text that is reconciled, not resent.
    book(api, clock)
    seen_by_another_worker = []
    send = senders.TwilioSender.send

    def looking_first(sender, to, body):
        with db.engine.connect() as other:
            seen_by_another_worker.extend(other.execute(
                select(Message.status, Message.attempts, Message.next_attempt_at)).all())
        return send(sender, to, body)
    monkeypatch.setattr(senders.TwilioSender, "send", looking_first)
    assert len(sweep(at("02:30")).sent) == 1
    assert seen_by_another_worker == [("sending", 1, at("02:30") + delivery.LEASE)]


def test_a_step_that_cannot_be_processed_is_set_aside_and_the_rest_still_go(api, clock, chain, sweep, login, caplog,
                                                                              monkeypatch):
    """A bug while preparing one child's text must not silence every child due after it."""
    first = book(api, clock, when="02:00")
    second = book(api, clock, when="02:01", custody_record_number="DU-26-000124", surname="Lowe")
    render = sweep_module.texts.render

    def broken_for_the_first(instance, step, detention, now):
        if detention.id == first["id"]:
            raise ValueError("a bug in a template")
        return render(instance, step, detention, now)
    monkeypatch.setattr(sweep_module.texts, "render", broken_for_the_first)

    report = sweep(at("02:31"))
    assert [m.detention_id for m in report.sent] == [second["id"]]
    assert len(report.errors) == 1
    bad = db.session.get(EscalationStep, report.errors[0])
    assert bad.detention_id == first["id"] and bad.status == "error" and "could not be processed" in bad.outcome
    assert any(r.levelname == "ERROR" and "set aside" in r.getMessage() for r in caplog.records)
    assert sweep(at("02:32")).errors == []  # not claimed again, sweep after sweep
    sergeant = login("sergeant")
    page = sergeant.get(f"/detentions/{first['id']}").get_data(as_text=True)
    assert "could not be prepared" in page and "Phone them" in page
    board = sergeant.get("/").get_data(as_text=True)
    assert "Text failed: custody_inspector: not sent, the text could not be prepared" in board
