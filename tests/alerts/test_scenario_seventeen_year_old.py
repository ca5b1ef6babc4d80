"""The "done when" scenario (issue 3), replayed step by step through the API and the CLI.

A 17-year-old arrives at 02:00. Nobody asks for an appropriate adult until 15:00 (his mother,
parent_guardian); the scheme is called out at 15:30; his mother arrives at 21:00; he is
released at 23:30. `flask alerts sweep --now` every quarter of an hour, and at each instant
the default policy names, sends exactly the texts it names, and none after 21:00.
"""
from datetime import timedelta

from tests.alerts.conftest import at
from tests.conftest import booking

EXPECTED = {  # when -> the roles texted then (SPEC §4.1 defaults)
    "02:30": ["custody_inspector"],          # aa_not_requested +30
    "07:30": ["custody_inspector"],          # review_due -30 (first review due 08:00)
    "08:15": ["duty_superintendent"],        # review_due +15: no review was held
    "15:30": ["aa_scheme"],                  # aa_callout +0
    "16:30": ["aa_scheme"],                  # aa_callout +60, the reminder
    "17:00": ["aa_scheme_coordinator"],      # aa_not_arrived +120 (first request 15:00)
    "19:00": ["custody_inspector"],          # aa_not_arrived +240
}
FACTS = {"15:00", "15:30", "21:00", "23:30"}


def instants():
    """Every quarter of an hour from 02:00 to 23:45, and every instant named above."""
    quarter_hours = {f"{h:02d}:{m:02d}" for h in range(2, 24) for m in (0, 15, 30, 45)}
    return sorted(quarter_hours | set(EXPECTED) | FACTS)


def sent_lines(result):
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if line.startswith("sent")]


class Story:
    def __init__(self, api, clock):
        self.api, self.clock = api, clock
        clock.set(at("02:00"))
        self.child = api.post("/api/v1/detentions", json=booking(arrived_at=at("02:00").isoformat())).json
        self.mother = None

    def record(self, when):
        self.clock.set(at(when))
        child = self.child["id"]
        if when == "15:00":
            self.mother = self._post(f"/api/v1/detentions/{child}/aa-requests",
                                     {"aa_type": "parent_guardian", "contact_name": "His mother"})
        elif when == "15:30":
            self._post(f"/api/v1/detentions/{child}/aa-requests", {"aa_type": "aa_scheme"})
        elif when == "21:00":
            self._post(f"/api/v1/aa-requests/{self.mother['id']}/arrival", {"aa_name": "His mother"})
        elif when == "23:30":
            self._post(f"/api/v1/detentions/{child}/release", {"outcome": "released_under_investigation"})

    def _post(self, url, body):
        response = self.api.post(url, json=body)
        assert response.status_code in (200, 201), response.json
        return response.json


def test_the_night_of_a_17_year_old_sends_exactly_the_texts_the_policy_names(api, clock, chain, runner):
    story = Story(api, clock)
    texted = {}
    for when in instants():
        story.record(when)
        lines = sent_lines(runner.invoke(args=["alerts", "sweep", "--now", at(when).isoformat()]))
        if lines:
            texted[when] = [role for line in lines for role in chain if f" {role} " in line]
    assert texted == EXPECTED


def test_each_text_says_what_is_late_for_a_child_aged_17_and_how_to_reply(api, clock, chain, runner):
    story = Story(api, clock)
    for when in ("02:30", "15:00", "15:30", "16:30", "17:00"):
        story.record(when)
        runner.invoke(args=["alerts", "sweep", "--now", at(when).isoformat()])
    code = story.child["sms_code"]
    messages = api.get(f"/api/v1/messages?detention_id={story.child['id']}").json
    bodies = [m["body"] for m in messages if m["clock"].startswith("aa_")]
    assert sorted(bodies) == sorted([
        f"Durham custody: no AA requested for a child aged 17, arrived 02:00, waiting 30m. Reply ACK {code}",
        f"Durham custody: AA needed for a child aged 17, requested 15:30. Reply ACK {code} or ETA {code} <mins>",
        f"Durham custody: REMINDER: AA needed for a child aged 17, requested 15:30, no reply after 1h. "
        f"Reply ACK {code} or ETA {code} <mins>",
        f"Durham custody: AA needed for a child aged 17, requested 15:00, not arrived after 2h. "
        f"Reply ACK {code} or ETA {code} <mins>",
    ])


def test_nothing_is_sent_after_the_mother_arrives_even_when_replayed_later(api, clock, chain, runner):
    story = Story(api, clock)
    for when in sorted(FACTS):
        story.record(when)
    # The whole night is on record; a replay still sends what was due at each instant, once.
    replay = {when: sent_lines(runner.invoke(args=["alerts", "sweep", "--now", at(when).isoformat()]))
              for when in instants()}
    assert {when for when, lines in replay.items() if lines} == set(EXPECTED)
    messages = api.get(f"/api/v1/messages?detention_id={story.child['id']}").json
    assert all(m["due_at"] <= "2026-11-28T21:00:00Z" for m in messages)
    assert len(messages) == 7 and {m["status"] for m in messages} == {"sent"}


def test_an_ack_reply_stops_the_scheme_reminder_but_not_the_coordinator(api, clock, chain, runner, reply):
    story = Story(api, clock)
    for when in ("15:00", "15:30"):
        story.record(when)
        runner.invoke(args=["alerts", "sweep", "--now", at(when).isoformat()])
    clock.set(at("15:40"))
    answer = reply(chain["aa_scheme"], f"ack {story.child['sms_code']}")
    assert answer.status_code == 200 and "acknowledged" in answer.get_data(as_text=True)
    later = {when: sent_lines(runner.invoke(args=["alerts", "sweep", "--now", at(when).isoformat()]))
             for when in ("16:30", "17:00")}
    assert later["16:30"] == []
    assert len(later["17:00"]) == 1 and "aa_scheme_coordinator" in later["17:00"][0]
    messages = api.get(f"/api/v1/messages?detention_id={story.child['id']}").json
    callout = next(m for m in messages if m["clock"] == "aa_callout")
    assert callout["acknowledged_at"] == "2026-11-28T15:40:00Z"
    reminder_step = [m for m in messages if m["clock"] == "aa_callout" and m["step"] == 1]
    assert reminder_step == []


def test_a_429_is_retried_into_exactly_one_text(api, clock, chain, runner, twilio):
    Story(api, clock)
    twilio.fail_next("429")
    first = runner.invoke(args=["alerts", "sweep", "--now", at("02:30").isoformat()])
    assert sent_lines(first) == [] and len(twilio.posts) == 1 and twilio.created == []
    retry = runner.invoke(args=["alerts", "sweep", "--now", (at("02:30") + timedelta(minutes=1)).isoformat()])
    assert len(sent_lines(retry)) == 1
    assert twilio.texts() == [(chain["custody_inspector"], twilio.created[0]["Body"])]
    again = runner.invoke(args=["alerts", "sweep", "--now", at("02:45").isoformat()])
    assert sent_lines(again) == [] and len(twilio.created) == 1


def test_a_reply_with_a_bad_signature_is_refused(api, clock, chain, webhook):
    Story(api, clock)
    form = {"MessageSid": "SMforged", "From": chain["aa_scheme"], "Body": "ACK 1234"}
    assert webhook("/webhooks/twilio/inbound", form, signature="forged").status_code == 403
    assert webhook("/webhooks/twilio/status", {"MessageSid": "SM1", "MessageStatus": "delivered"},
                   signature="").status_code == 403
