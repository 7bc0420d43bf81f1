"""A project as `project show` presents it: its register entry with its channel, the RAG of
its latest status update and when its status round next opens (in the reader's zone)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from models import Workspace
from services.core.access import Actor
from services.core.dates import zone
from services.core.views import ProjectView
from services.projects import register
from services.status import cadence
from services.workspace.home import with_latest_rag
from services.workspace.settings import rounds_enabled


def project_card(session: Session, actor: Actor, *, key: str, now: datetime) -> ProjectView:
    """One project with members, counts, latest RAG and next status round."""
    view = with_latest_rag(session, [register.show(session, actor, key=key, now=now)])[0]
    ws = session.get(Workspace, actor.workspace_id)
    if ws is None or not rounds_enabled(ws.settings):
        return view
    rounds = cadence.cadence(session, actor, key=key, now=now)
    if not rounds.active or rounds.next_open is None:
        return view
    return replace(view, next_round=rounds.next_open.astimezone(zone(actor.timezone)))
