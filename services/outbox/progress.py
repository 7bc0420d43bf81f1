"""A multi-part message's progress, recorded while it goes out.

The notifier calls the edge's checkpoint before each part of a report or of final minutes;
the edge runs `record` in a short transaction of its own, committed before the part is sent,
so no transaction or lock is held across a call to the platform. A crash then leaves the
row `sending` with every part that went out counted and the part in flight named as
uncertain: the retry after the lease looks for that one, and posts only what is missing.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, String, bindparam, cast, func, literal_column, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from models import Notification, NotificationState


def record(session: Session, ids: list[int], progress: dict[str, Any]) -> None:
    """Set these rows' `payload.progress` in one UPDATE, if they are still being sent.

    Only that key changes (json_set / jsonb_set), so nothing else of the payload is read or
    rewritten. A row already marked sent or failed is left alone.
    """
    data = bindparam("progress", json.dumps(progress, separators=(",", ":")), type_=String)
    if session.get_bind().dialect.name == "postgresql":
        path: Any = literal_column("'{progress}'")
        value: Any = cast(
            func.jsonb_set(cast(Notification.payload, JSONB), path, cast(data, JSONB)), JSON
        )
    else:
        value = func.json_set(Notification.payload, "$.progress", func.json(data))
    session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.state == NotificationState.SENDING)
        .values(payload=value)
        .execution_options(synchronize_session=False)
    )
