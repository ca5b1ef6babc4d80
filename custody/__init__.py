"""A child's custody: the detention and every event of it (SPEC §3)."""
