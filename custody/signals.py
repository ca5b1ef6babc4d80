"""Signals custody sends when a child's facts change, so other areas (escalation) can react
without custody importing them. Receivers run inside the same transaction as the change."""
from blinker import Namespace

_signals = Namespace()

# sender: the Detention; kwargs: session, now
facts_changed = _signals.signal("facts-changed")
