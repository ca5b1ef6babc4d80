"""Users, roles, sessions, API tokens and the rule that guards every route."""
