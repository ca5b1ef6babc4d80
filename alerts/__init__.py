"""Clocks, escalation and text messages (SPEC §4)."""
