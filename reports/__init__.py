"""The fortnightly performance pack (SPEC §6)."""
