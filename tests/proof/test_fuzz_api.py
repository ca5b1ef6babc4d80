"""Schemathesis against the app's own OpenAPI document, with a valid bearer token for each role.

CI runs a few derandomised examples per operation; `make fuzz` runs the same with many more
(FUZZ_EXAMPLES) and prints what it did.
"""
import os

import pytest

from tests.conftest import PERSONAS
from tests.proof.fuzzing import fuzz, row_counts

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"


@pytest.mark.parametrize("role", list(PERSONAS))
def test_generated_requests_get_documented_answers_and_no_5xx(app, tokens, custody_records, known_values, role):
    before = row_counts()
    tally = fuzz(app, tokens[role], examples=EXAMPLES, id_pool=custody_records, body_values=known_values,
                 derandomize=not RANDOM)
    after = row_counts()
    print(f"\nfuzz as {role}: {tally.summary()}; audit_events {before['audit_events']} -> "
          f"{after['audit_events']}, detentions {before['detentions']} -> {after['detentions']}")
    for (operation, status, title), times in sorted(tally.kinds().items()):
        print(f"  {times:4d} x {operation} -> {status}: {title}")
    assert tally.examples >= EXAMPLES * len(tally.operations)
    assert not tally.refused_that_changed, tally.refused_that_changed
    assert not tally.failures, "\n\n".join(map(str, tally.failures[:20]))
    assert 500 not in tally.statuses
