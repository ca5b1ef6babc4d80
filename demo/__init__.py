"""Synthetic demonstration data: `flask demo seed`."""
