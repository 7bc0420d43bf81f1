"""Slack rendering and listeners of the workspace feature."""
