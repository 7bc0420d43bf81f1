"""The channel-agnostic domain. Never imports a chat platform SDK; flushes, never commits."""
