"""Logging set-up: plain lines, or one JSON object a line (LOG_FORMAT=json), each record
carrying the id of the Slack request it belongs to (handlers/chat/trace.py)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from handlers.chat.trace import REQUEST_ID

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the request being served (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always True: it only adds `request_id`."""
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        out: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            out["request_id"] = request_id
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def formatter(log_format: str) -> logging.Formatter:
    """The formatter LOG_FORMAT names: "json", or plain text otherwise."""
    return (
        JsonFormatter() if log_format.strip().lower() == "json" else logging.Formatter(TEXT_FORMAT)
    )


def configure(level: int, log_format: str) -> None:
    """Log to stderr at `level` in `log_format`, every record with its request id."""
    logging.basicConfig(level=level, format=TEXT_FORMAT, stream=sys.stderr)
    use_format(log_format)


def use_format(log_format: str) -> None:
    """Switch the root handlers to `log_format` and stamp records with their request id."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter(log_format))
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
