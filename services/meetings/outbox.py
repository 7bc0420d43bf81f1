"""What the outbox needs to know about minutes: the final minutes as they stand when they
go out (amendments included), and where they landed (so amendments edit them in place)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.meetings.amend import record_posts
from services.meetings.views import MinutesView, view
from services.outbox.contents import AfterSent, AttachmentBuilder, Destination


@dataclass(frozen=True)
class FinalMinutes:
    """Minutes to post (or, `amend`, to edit where they were posted)."""

    minutes: MinutesView
    amend: bool = False


def final_minutes(session: Session, payload: dict[str, Any], _where: Destination) -> FinalMinutes:
    """The minutes as they stand now."""
    return FinalMinutes(view(session, int(payload["minutes"])), bool(payload.get("amend")))


def remember_posts(session: Session, sent: object, result: dict[str, Any]) -> None:
    """Keep the channel and message ids of posted minutes."""
    if isinstance(sent, FinalMinutes) and result.get("ts"):
        ts = [str(t) for t in result["ts"]]
        record_posts(session, sent.minutes.id, str(result["channel"]), ts)


ATTACHMENTS: dict[str, AttachmentBuilder] = {"minutes": final_minutes}
AFTER_SENT: dict[type, AfterSent] = {FinalMinutes: remember_posts}
