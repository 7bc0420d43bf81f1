"""Slack rendering and listeners of the digests feature."""
