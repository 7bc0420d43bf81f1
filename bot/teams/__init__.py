"""Teams wiring: the Agents SDK adapter, its auth configuration, the /api/messages route."""
