"""The new-project form, defined once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from services.commands import ast_registers as reg
from services.core.access import Actor
from services.core.forms import Field, FieldKind, Form, FormId, FormRequest, Pick, Raw, Reader, Ref
from services.core.views import ProjectView
from services.projects import register

PROJECT_FORM = Form(
    FormId.NEW_PROJECT,
    "New project",
    "Create",
    (
        Field(
            "key",
            "Key",
            FieldKind.TEXT,
            required=True,
            max_length=16,
            placeholder="APOLLO",
            hint="2-16 letters and digits, starting with a letter. Used in commands.",
        ),
        Field("name", "Name", FieldKind.TEXT, required=True, max_length=200),
        Field("pm", "Project manager", FieldKind.PERSON, hint="Leave empty to be the PM yourself."),
        Field("private", "Visibility", FieldKind.FLAG, option="Private: only members can see it"),
    ),
    error_field="key",
)


def project_request(*, channel: str | None) -> FormRequest:
    """The new-project form (the project's channel is where it was asked for)."""
    return FormRequest(PROJECT_FORM, {}, {"channel": channel})


def submit_project(
    session: Session,
    actor: Actor,
    *,
    values: Mapping[str, Raw],
    ref: Mapping[str, Ref],
    pick: Pick,
    now: datetime,
) -> ProjectView:
    """Create a project from the form; its creator is its PM unless another is picked."""
    r = Reader(PROJECT_FORM, values)
    key, name = r.text("key"), r.text("name")
    private = r.flag("private")
    pm = r.person("pm", pick)
    r.done()
    channel = str(ref["channel"]) if ref.get("channel") else None
    return register.create(
        session, actor, key=key, name=name, pm=pm, private=private, now=now, home_channel=channel
    )


REJECT_FORM = Form(
    FormId.GATE_REJECT,
    "Reject the phase change",
    "Reject",
    (
        Field(
            "reason",
            "Why?",
            FieldKind.LONG_TEXT,
            required=True,
            max_length=1000,
            hint="Whoever asked for the phase change is told.",
        ),
    ),
)


def reject_request(key: str, phase: str) -> FormRequest:
    """The form a gate's approver fills in to reject a phase change."""
    return FormRequest(
        REJECT_FORM,
        {},
        {"key": key, "phase": phase},
        intro=f"{key} asks to enter {phase}. Why not yet?",
    )


def read_reject(values: Mapping[str, Raw], ref: Mapping[str, Ref]) -> reg.ProjectGateDecide:
    """The command the filled-in reject form stands for."""
    r = Reader(REJECT_FORM, values)
    reason = r.text("reason")
    r.done()
    phase = str(ref["phase"]) if ref.get("phase") else None
    return reg.ProjectGateDecide(str(ref.get("key") or ""), False, reason, phase)
