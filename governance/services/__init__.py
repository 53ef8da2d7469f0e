"""Governance writes, one module per area (bodies and contacts, meetings and minutes, decisions
and action items, training, calendar): keyword-only, atomic, taking the acting user and writing
the activity log in the same transaction."""
