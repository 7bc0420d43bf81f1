"""The end of a status week: once every round of a workspace's week has closed, the portfolio
report goes to the PMO channel (or the PMO leads), each project's update to its own channel,
and the PMO leads hear which projects did not report."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    CycleState,
    Notification,
    NotificationState,
    StatusCycle,
    Workspace,
    WorkspaceRole,
    WorkspaceRoleName,
)
from services.core.dates import zone
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest, DigestLine, DigestSection
from services.outbox.rows import outbox_row
from services.status.report import build, project_post


def period_end_rows(session: Session, *, now: datetime) -> list[dict[str, Any]]:
    """Weeks whose cycles have all closed in a workspace: report, project posts, missing."""
    recent = session.execute(
        select(StatusCycle.workspace_id, StatusCycle.period, StatusCycle.state).where(
            StatusCycle.created_at >= now - timedelta(days=21)
        )
    ).all()
    periods: dict[tuple[int, str], list[CycleState]] = defaultdict(list)
    for ws_id, period, state in recent:
        periods[(ws_id, period)].append(state)
    done = [k for k, states in periods.items() if CycleState.OPEN not in states]
    if not done:
        return []
    reported = set(
        (r[0], r[1])
        for r in session.execute(
            select(Notification.workspace_id, Notification.occurrence).where(
                Notification.rule == "status_period_end",
                Notification.workspace_id.in_({w for w, _ in done}),
            )
        )
    )
    done = [k for k in done if k not in reported]
    if not done:
        return []
    rows: list[dict[str, Any]] = []
    wss = {
        w.id: w
        for w in session.scalars(select(Workspace).where(Workspace.id.in_({w for w, _ in done})))
    }
    leads: dict[int, list[int]] = defaultdict(list)
    for ws_id, person_id in session.execute(
        select(WorkspaceRole.workspace_id, WorkspaceRole.person_id).where(
            WorkspaceRole.workspace_id.in_(wss), WorkspaceRole.role == WorkspaceRoleName.PMO_LEAD
        )
    ):
        leads[ws_id].append(person_id)
    for ws_id, period in done:
        ws = wss[ws_id]
        subject = ("workspace", ws_id)
        # A marker row: this week of this workspace is handled, whatever else is queued.
        rows.append(
            outbox_row(
                ws_id,
                "status_period_end",
                subject,
                period,
                payload={},
                at=now,
                now=now,
                state=NotificationState.SKIPPED,
                last_error="marker",
            )
        )
        report = build(session, ws_id, period, today=now.astimezone(zone(ws.timezone)).date())
        payload = {"report": {"period": period}}
        if ws.pmo_channel:
            rows.append(
                outbox_row(
                    ws_id,
                    "status_report",
                    subject,
                    period,
                    at=now,
                    now=now,
                    payload=payload,
                    channel=ws.pmo_channel,
                )
            )
        else:
            rows += [
                outbox_row(
                    ws_id,
                    "status_report",
                    subject,
                    period,
                    at=now,
                    now=now,
                    payload=payload,
                    recipient_id=lead,
                )
                for lead in leads[ws_id]
            ]
        for line in report.projects:
            if line.update is not None and line.home_channel:
                post = project_post(line, period, report.today)
                rows.append(
                    outbox_row(
                        ws_id,
                        "status_project_post",
                        ("project", line.project_id),
                        period,
                        at=now,
                        now=now,
                        payload={"digest": post.to_payload()},
                        channel=line.home_channel,
                    )
                )
        missing = [ln for ln in report.projects if ln.update is None and not ln.skipped]
        if missing:
            notice = Digest(
                DigestKind.STATUS_MISSING,
                f"Missing status updates for {period}",
                report.today,
                [
                    DigestSection(
                        f"{len(missing)} project{'s' if len(missing) != 1 else ''} did "
                        "not report by the deadline",
                        [
                            DigestLine(
                                "project",
                                ln.project_id,
                                ln.name,
                                None,
                                ln.key,
                                owner_handle=ln.pm.handle if ln.pm else "",
                            )
                            for ln in missing[:25]
                        ],
                        len(missing),
                    )
                ],
            )
            rows += [
                outbox_row(
                    ws_id,
                    "status_missing",
                    subject,
                    period,
                    at=now,
                    now=now,
                    payload={"digest": notice.to_payload()},
                    recipient_id=lead,
                )
                for lead in leads[ws_id]
            ]
    return rows
