"""flask demo seed: a realistic, consistent, repeatable synthetic history."""
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from alerts.models import Message
from core.db import db
from custody.models import AARequest, Charge, Detention, ReferenceCounter, Review, Suite, overnight
from demo import seed as demo_seed
from tests.conftest import booking

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["demo", "seed", "--detentions", "600", "--seed", "7", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "detentions seeded" in result.output and "600 / 600" in result.output
    return db.session.scalars(select(Detention).order_by(Detention.id)).all()


def test_references_run_in_sequence_per_suite_and_year_and_bookings_continue_them(seeded, api):
    by_suite_year = {}
    for detention in seeded:
        suite, year, number = re.fullmatch(r"(DUR|DAR|PET)-(\d{4})-(\d{5})", detention.reference).groups()
        by_suite_year.setdefault((suite, int(year)), []).append(int(number))
        assert int(year) == detention.arrived_at.astimezone(LONDON).year
    for numbers in by_suite_year.values():
        assert numbers == list(range(1, len(numbers) + 1))
    dur_2026 = len(by_suite_year[("DUR", 2026)])
    assert api.post("/api/v1/detentions", json=booking()).json["reference"] == f"DUR-2026-{dur_2026 + 1:05d}"
    counters = db.session.execute(select(Suite.code, ReferenceCounter.year, ReferenceCounter.last_number)
                                  .join(Suite)).all()
    assert {(c, y): n for c, y, n in counters} == {**{k: len(v) for k, v in by_suite_year.items()},
                                                   ("DUR", 2026): dur_2026 + 1}


def test_children_still_in_custody_have_distinct_text_codes(seeded):
    held = [d.sms_code for d in seeded if d.status == "in_custody"]
    assert held and len(held) == len(set(held))
    assert sum(d.status == "released" for d in seeded) > 0.95 * len(seeded)


def test_the_history_looks_like_a_custody_suites(seeded):
    ages = Counter(d.age for d in seeded)
    assert set(ages) <= set(range(10, 18)) and sum(ages[a] for a in (15, 16, 17)) > 0.6 * len(seeded)
    assert {d.suite.code for d in seeded} == {"DUR", "DAR", "PET"}
    share_overnight = sum(d.overnight for d in seeded) / len(seeded)
    assert 0.38 < share_overnight < 0.52
    assert 0.4 < sum(d.has_needs for d in seeded) / len(seeded) < 0.6
    modes = Counter(db.session.scalars(select(Review.mode)))
    assert modes["in_person"] < 0.3 * sum(modes.values())
    refused = db.session.scalar(select(func.count()).select_from(Charge).where(Charge.bail == "refused"))
    assert refused > 0
    waits = [(min(r.arrived_at for r in d.aa_requests if r.arrived_at) - d.arrived_at).total_seconds() / 60
             for d in seeded if d.aa_arrived_at]
    assert max(waits) > 12 * 60  # the long tail the inspection found
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.acknowledged_at.isnot(None)))


def test_every_event_falls_between_arrival_and_release_and_overnight_agrees(seeded):
    for detention in seeded:
        end = detention.released_at
        times = [t for r in detention.aa_requests for t in (r.requested_at, r.arrived_at, r.cancelled_at) if t]
        times += [r.held_at for r in detention.reviews] + [s.searched_at for s in detention.strip_searches]
        times += [r.made_at for r in detention.referrals]
        assert all(detention.arrived_at <= t and (end is None or t <= end) for t in times), detention.reference
        assert detention.overnight == overnight(detention.arrived_at, end, LONDON)
        assert detention.has_needs == bool(detention.needs)


def test_the_same_seed_and_clock_give_the_same_history(app, clock):
    def story(seed):
        seeder = demo_seed.Seeder(db.session, seed, clock())
        rows = demo_seed.Rows()
        for arrived_at in demo_seed.arrivals(seeder.rng, 200, clock(), 365, LONDON):
            seeder.child(rows, arrived_at)
        return {table.name: values for table, values in rows.tables.items()}
    assert story(3) == story(3)
    assert story(3) != story(4)


def test_the_pack_reads_the_seeded_history(seeded, api_as):
    pack = api_as("manager").get("/api/v1/reports/performance").json
    assert pack["children_detained"] > 0
    assert pack["minutes_to_aa_arrival"]["median"] < pack["minutes_to_aa_arrival"]["p90"]
    assert sum(s["children_detained"] for s in pack["by_suite"].values()) == pack["children_detained"]
    assert db.session.scalar(select(func.count()).select_from(AARequest)) > len(seeded) * 0.9
