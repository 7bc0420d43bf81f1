"""Composition root: settings, database, app wiring, CLI."""
