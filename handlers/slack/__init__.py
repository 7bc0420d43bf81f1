"""Slack channel: Bolt listeners, identity, Block Kit rendering, Notifier."""
