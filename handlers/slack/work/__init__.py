"""Slack rendering and listeners of the work feature."""
