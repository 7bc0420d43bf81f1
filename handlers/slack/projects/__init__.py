"""Slack rendering and listeners of the projects feature."""
