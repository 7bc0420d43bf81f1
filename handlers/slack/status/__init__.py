"""Slack rendering and listeners of the status feature."""
