"""What the custody board and the record show about texts for each child.

The escalation engine fills these in; until it does, a child has no texts and nobody is
missing from the chain.
"""
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class AlertSummary:
    sent: int = 0                     # texts sent (or delivered) about this child
    acknowledged: int = 0             # of those, acknowledged by a reply
    eta_minutes: int | None = None    # the latest ETA given by reply, if any
    eta_at: datetime | None = None    # when that ETA runs out
    no_one_to_text: list[str] = field(default_factory=list)   # roles with no contact in range
    failed: list[str] = field(default_factory=list)           # permanent failures, described


def alert_summaries(session, detention_ids, now):
    """{detention_id: AlertSummary} for the board, in one query per kind of fact."""
    return {detention_id: AlertSummary() for detention_id in detention_ids}
