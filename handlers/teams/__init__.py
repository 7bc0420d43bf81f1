"""Microsoft Teams: activities in, Adaptive Cards out, through the same chat edge as Slack."""
