"""Slack rendering and listeners of the meetings feature."""
