"""Slack: the Bolt app, the HTTP front that acks, and the worker processes that do the work."""
