"""The chaos run, small enough for CI: three real `flask alerts worker` processes, 150 due steps,
a fake Twilio failing about 30% of texts at random, three workers killed with SIGKILL and
restarted, and once all of them at the same instant while a text is in flight.

On PostgreSQL the workers claim side by side (SKIP LOCKED and the conditional UPDATE). On
SQLite the same three workers run against the one database file, which lets one writer in at a
time: the workers are serialised by it, and the claims (the conditional UPDATE alone) must still
hold. The randomness is seeded and the time limit generous; what is asserted is the outcome.
The runner and its checks are in tests/alerts/chaos.py (`make chaos` runs 2,000 steps).
"""
import pytest

from tests.alerts import chaos

PLAN = chaos.Plan(steps=150, workers=3, seed=7, kills=3, kill_every=(1.0, 3.0), blackouts=1, warp=60.0,
                  time_limit=300.0)


@pytest.mark.slow
def test_killed_workers_and_a_failing_provider_still_text_every_due_step_exactly_once(app, database_url,
                                                                                      tmp_path):
    outcome = chaos.run(database_url, PLAN, log_dir=tmp_path)
    print(f"\n{outcome.report()}")
    assert outcome.violations == [], outcome.report()
    counts = outcome.counts
    # Every due step was texted once to each recipient, or refused for good by the provider.
    assert counts["steps"] == {"done": 150, "cancelled": counts["stopped_steps"]}
    assert counts["queued"] + counts["message_statuses"]["failed"] == counts["expected_texts"]
    # (A refusal can be lost with the worker killed before recording it: that text is looked for,
    # not found, and sent again. So there may be fewer failed texts than refusals, never more.)
    assert 0 < counts["message_statuses"]["failed"] <= counts["answers"]["21211"]
    # ...and the chaos did happen: every kind of failure, the kills, a send cut short by one.
    assert set(counts["answers"]) == {"201", "429", "500", "500-queued", "slow", "21211"}
    assert (counts["kills"], counts["blackouts"], counts["crashes"]) == (3, 1, 0)
    assert counts["interrupted"] >= 1 and counts["interrupted_ended"].keys() <= {"sent", "failed"}
    assert counts["found"] > 0 and counts["not_found"] > 0
