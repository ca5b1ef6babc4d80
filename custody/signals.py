"""Signals custody sends when a child's facts change, so other areas (escalation) can react
without custody importing them. Receivers run inside the same transaction as the change."""
from blinker import Namespace

_signals = Namespace()

# sender: the Detention; kwargs: session, now, and booked=True when the child was just booked in
# (so has no events yet; the event relationships are loaded, empty)
facts_changed = _signals.signal("facts-changed")
