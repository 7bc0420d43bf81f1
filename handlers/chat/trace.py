"""The id of the request being served, for logs: set where a request is acked, carried to
its reply and follow-ups (contextvars travel into `SlackDeps.defer`'s threads)."""

from __future__ import annotations

from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("pmo_request_id", default=None)
