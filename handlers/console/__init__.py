"""The local console channel: the same commands, rendered as plain text."""
