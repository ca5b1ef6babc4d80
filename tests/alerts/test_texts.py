"""Every text fits one GSM-7 segment and carries nothing that identifies the child."""
from datetime import date, timedelta

import pytest

import config
from alerts import policy, rules, texts
from custody.models import AARequest, AccommodationRequest, Detention, Review, Suite
from tests.alerts.conftest import at

POLICY = policy.load(config.CONFIG_DIR / "escalation.toml")
PERSONAL = {"forename": "Bartholomew-Maximilian", "surname": "Featherstonehaugh", "date_of_birth": date(2009, 3, 14),
            "custody_record_number": "DU-26-0004711", "offence": "Robbery at 14 Acacia Avenue, DH1 3LE"}
SUITE_NAMES = ["Durham", "D" * 200, "Ynys Môn and Gwynedd Joint Custody Suite (North Wales Police) " * 3,
               "Suite with {braces} [brackets] ~tilde~ | € ^caret^ \\ and a\nline break", "北京"]


def child(suite_name):
    detention = Detention(arrived_at=at("02:00"), detention_authorised_at=at("02:00"), status="in_custody",
                          age=15, sms_code="4821", suite=Suite(code="X", name=suite_name, timezone="Europe/London"),
                          **PERSONAL)
    detention.aa_requests = [AARequest(id=1, aa_type="aa_scheme", requested_at=at("14:05"))]
    detention.reviews = [Review(held_at=at("07:00"), due_at=at("08:00"))]
    detention.accommodation_requests = [AccommodationRequest(id=2, requested_at=at("16:00"))]
    return detention


def every_text(suite_name):
    detention = child(suite_name)
    for instance in rules.clock_instances(detention):
        for step in POLICY.steps(instance.clock):
            for late in (timedelta(0), timedelta(hours=30)):  # on time, and a catch-up a day later
                yield texts.render(instance, step, detention, instance.due_at(step) + late)


@pytest.mark.parametrize("suite_name", SUITE_NAMES)
def test_every_text_is_one_gsm7_segment(suite_name):
    for body in every_text(suite_name):
        assert texts.fits_one_segment(body), (len(body), body)


@pytest.mark.parametrize("suite_name", SUITE_NAMES)
def test_no_text_names_the_child_or_says_what_they_did(suite_name):
    forbidden = [PERSONAL["forename"], PERSONAL["surname"], "Bartholomew", "Featherstonehaugh", "2009", "14/03",
                 "DU-26", "0004711", "Robbery", "Acacia", "DH1"]
    for body in every_text(suite_name):
        assert not [word for word in forbidden if word.lower() in body.lower()], body


def test_a_text_says_where_who_what_since_when_and_how_to_reply():
    detention = child("Durham")
    instance = rules.find_instance(detention, "aa_not_arrived", "0")
    body = texts.render(instance, POLICY.step("aa_not_arrived", 0), detention, at("16:05"))
    assert body == ("Durham custody: AA needed for a child aged 15, requested 14:05, not arrived after 2h. "
                    "Reply ACK 4821 or ETA 4821 <mins>")


def test_times_are_the_suites_local_24_hour_clock():
    detention = child("Durham")
    detention.aa_requests[0].requested_at = at("13:05") - timedelta(days=150)  # 1 July: BST
    instance = rules.find_instance(detention, "aa_callout", "1")
    body = texts.render(instance, POLICY.step("aa_callout", 0), detention, instance.anchor)
    assert "requested 14:05." in body


def test_a_time_on_another_day_carries_its_date():
    detention = child("Durham")
    instance = rules.find_instance(detention, "aa_callout", "1")
    assert "requested 14:05 28/11," in texts.render(instance, POLICY.step("aa_callout", 1), detention,
                                                    at("14:05") + timedelta(hours=12))


def test_a_long_suite_name_is_shortened_not_the_message():
    body = next(every_text("Northumbria and County Durham Combined Custody Suite " * 5))
    assert body.startswith("Northumbria") and body.endswith("Reply ACK 4821") and len(body) == 160


@pytest.mark.parametrize("text,septets", [("ACK 4821", 8), ("€", 2), ("[x]", 5), ("ô", None)])
def test_gsm7_length_counts_the_extension_table_twice(text, septets):
    assert texts.gsm7_length(text) == septets
