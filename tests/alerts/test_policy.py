"""The escalation policy file is read strictly: a bad file stops the service from starting."""
import tomllib
from datetime import timedelta

import pytest

import config
from alerts import policy
from app import create_app

DEFAULT = config.CONFIG_DIR / "escalation.toml"


def default_data():
    with open(DEFAULT, "rb") as handle:
        return tomllib.load(handle)


def test_the_default_policy_is_spec_section_4_1():
    loaded = policy.load(DEFAULT)
    table = {name: [(s.after_minutes, s.role) for s in clock.steps] for name, clock in loaded.clocks.items()}
    assert table == {
        "aa_not_requested": [(30, "custody_inspector")],
        "aa_callout": [(0, "aa_scheme"), (60, "aa_scheme")],
        "aa_not_arrived": [(120, "aa_scheme_coordinator"), (240, "custody_inspector"), (480, "duty_superintendent")],
        "review_due": [(-30, "custody_inspector"), (15, "duty_superintendent")],
        "accommodation_no_response": [(60, "local_authority_edt"), (120, "duty_superintendent")],
    }
    assert loaded.step("aa_callout", 1).reminder and not loaded.step("aa_callout", 0).reminder
    assert loaded.step("review_due", 0).after == timedelta(minutes=-30)


def broken(change):
    data = default_data()
    change(data)
    return data


@pytest.mark.parametrize("change,complaint", [
    (lambda d: d.update(aa_not_arived={"steps": []}), "unknown clock"),
    (lambda d: d.pop("review_due"), "missing [review_due]"),
    (lambda d: d["aa_not_requested"]["steps"][0].update(role="custody_inspecter"), "role 'custody_inspecter'"),
    (lambda d: d["aa_not_requested"]["steps"][0].update(after="30"), "whole number of minutes"),
    (lambda d: d["aa_not_requested"]["steps"][0].update(after=30.5), "whole number of minutes"),
    (lambda d: d["aa_not_requested"]["steps"][0].update(after=-5), "only review_due"),
    (lambda d: d["aa_not_requested"]["steps"][0].update(after=99999), "more than a week"),
    (lambda d: d["aa_not_requested"]["steps"][0].update(roles="custody_inspector"), "unknown key(s) roles"),
    (lambda d: d["aa_callout"].update(step=[]), "unknown key(s) step"),
    (lambda d: d["aa_callout"].pop("steps"), "steps must be a list"),
    (lambda d: d["aa_callout"]["steps"].reverse(), "time order"),
    (lambda d: d["aa_not_arrived"]["steps"][0].update(reminder=True), "reminder needs an earlier step"),
    (lambda d: d["aa_callout"]["steps"][1].update(reminder="yes"), "true or false"),
])
def test_a_malformed_policy_is_refused_with_a_reason(change, complaint):
    with pytest.raises(policy.PolicyError) as refused:
        policy.parse(broken(change))
    assert complaint in str(refused.value)


def test_a_clock_may_be_switched_off_with_no_steps():
    assert policy.parse(broken(lambda d: d["aa_not_requested"].update(steps=[]))).steps("aa_not_requested") == ()


def test_the_app_refuses_to_start_on_a_bad_policy_file(tmp_path):
    bad = tmp_path / "escalation.toml"
    bad.write_text(DEFAULT.read_text().replace("custody_inspector", "inspector", 1))
    settings = config.for_tests("sqlite://", str(tmp_path), ESCALATION_POLICY_FILE=str(bad))
    with pytest.raises(policy.PolicyError, match="role 'inspector'"):
        create_app(settings)


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    bad = tmp_path / "escalation.toml"
    bad.write_text("[aa_not_requested\nsteps = ")
    with pytest.raises(policy.PolicyError, match="escalation.toml"):
        policy.load(bad)
