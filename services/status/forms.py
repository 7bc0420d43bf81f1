"""The status forms, defined once: the weekly update and the status-round settings.

Slack renders them as modals, the console as guided prompts, Teams as dialogs; each channel
hands the answers back as raw values and they are read here, by one function per form.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time

from sqlalchemy.orm import Session

from services.core.access import Actor
from services.core.dates import zone
from services.core.forms import Field, FieldKind, Form, FormId, FormRequest, Pick, Raw, Reader
from services.raid.queries import open_red_risks
from services.status.cadence import CadenceForm, CadenceView, configure_cadence
from services.status.update import (
    TEXT_LIMIT,
    UpdateFields,
    UpdateView,
    parse_rag,
    prefill,
    require_reporter,
    submit,
)

RAG_CHOICES = (("green", "🟢 Green"), ("amber", "🟠 Amber"), ("red", "🔴 Red"))
DIMENSIONS = ("schedule", "scope", "budget", "resources")
TEXTS = (
    ("summary", "Summary", "Where the project stands, in a few lines"),
    ("highlights", "Highlights", "What went well or got done"),
    ("blockers", "Blockers", "What is in the way"),
    ("asks", "Asks", "Decisions or help you need, and from whom"),
    ("next_steps", "Next steps", "What happens next"),
)


def _text(name: str, label: str, hint: str) -> Field:
    return Field(name, label, FieldKind.LONG_TEXT, max_length=TEXT_LIMIT, hint=hint)


STATUS_FORM = Form(
    FormId.STATUS,
    "Status",
    "Submit",
    (
        Field("overall", "Overall status", FieldKind.CHOICE, required=True, choices=RAG_CHOICES),
        *(Field(d, d.title(), FieldKind.CHOICE, choices=RAG_CHOICES) for d in DIMENSIONS),
        Field(
            "percent",
            "% complete",
            FieldKind.NUMBER,
            placeholder="0 to 100",
            minimum=0,
            maximum=100,
        ),
        *(_text(n, label, hint) for n, label, hint in TEXTS[:3]),
        Field(
            "escalate",
            "Needs escalation?",
            FieldKind.FLAG,
            option="Escalate the blockers to the PMO now",
        ),
        *(_text(n, label, hint) for n, label, hint in TEXTS[3:]),
    ),
    error_field="overall",
)


def status_values(fields: UpdateFields | None) -> dict[str, Raw]:
    """The form's starting values from an update (the last one, to keep what still holds)."""
    if fields is None:
        return {}
    values: dict[str, Raw] = {
        "overall": fields.overall.value,
        "percent": "" if fields.percent_complete is None else str(fields.percent_complete),
        "escalate": "yes" if fields.escalate else "no",
    }
    for d in DIMENSIONS:
        rag = getattr(fields, d)
        values[d] = rag.value if rag is not None else ""
    for name, _, _ in TEXTS:
        values[name] = getattr(fields, name)
    return values


def read_status(values: Mapping[str, Raw]) -> UpdateFields:
    """The update a form's answers describe; FormErrors naming each wrong field."""
    r = Reader(STATUS_FORM, values)
    overall = r.choice("overall")
    dims = {d: r.choice(d) for d in DIMENSIONS}
    percent = r.number("percent")
    texts = {name: r.text(name) for name, _, _ in TEXTS}
    escalate = r.flag("escalate")
    if escalate and not texts["blockers"]:
        r.fail("blockers", "Escalate what? Describe the blocker to escalate.")
    r.done()
    assert overall is not None
    rag = {d: parse_rag(v) if v else None for d, v in dims.items()}
    return UpdateFields(
        overall=parse_rag(overall),
        schedule=rag["schedule"],
        scope=rag["scope"],
        budget=rag["budget"],
        resources=rag["resources"],
        percent_complete=percent,
        summary=texts["summary"],
        highlights=texts["highlights"],
        blockers=texts["blockers"],
        escalate=escalate,
        asks=texts["asks"],
        next_steps=texts["next_steps"],
    )


def status_request(session: Session, actor: Actor, *, key: str) -> FormRequest:
    """The update form for a project, prefilled from its last update."""
    project, last = prefill(session, actor, key=key)
    require_reporter(session, actor, project)  # no form for who can't send it
    intro = f"{project.key} · {project.name} · this week's update"
    red = open_red_risks(session, workspace_id=actor.workspace_id, project_id=project.id)
    if red:  # what the PM should not forget to report on
        shown = "; ".join(f"{r.ref} {r.title} ({r.score})" for r in red[:3])
        more = f" and {len(red) - 3} more" if len(red) > 3 else ""
        intro += f"\nOpen red risks: {shown}{more}."
    return FormRequest(STATUS_FORM, status_values(last), {"key": project.key}, intro=intro)


def submit_status(
    session: Session, actor: Actor, *, key: str, values: Mapping[str, Raw], now: datetime
) -> tuple[UpdateView, str]:
    """Read and record an update from the form's answers."""
    return submit(session, actor, key=key, fields_=read_status(values), now=now)


# --- the status round's settings -------------------------------------------------------------

WEEKDAY_CHOICES = tuple(
    (str(i), name)
    for i, name in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), 1
    )
)
DUE_CHOICES = tuple(
    (str(n), text)
    for n, text in enumerate(("Same day", "Next day", *(f"{n} days later" for n in range(2, 7))))
)

CADENCE_FORM = Form(
    FormId.CADENCE,
    "Round",
    "Save",
    (
        Field(
            "active",
            "Status round",
            FieldKind.FLAG,
            option="Run the weekly status round for this project",
        ),
        Field("days", "Nudge on", FieldKind.CHOICES, choices=WEEKDAY_CHOICES),
        Field("time", "Nudge at", FieldKind.TIME),
        Field("deadline_days", "Due", FieldKind.CHOICE, required=True, choices=DUE_CHOICES),
        Field("deadline_time", "Due at", FieldKind.TIME),
        Field(
            "reporters", "Who reports", FieldKind.PEOPLE, hint="Leave empty for the project's PM."
        ),
        Field(
            "channel",
            "Report channel",
            FieldKind.CHANNEL,
            hint="Leave empty for the workspace PMO channel.",
        ),
        Field(
            "rrule",
            "Advanced: recurrence rule",
            FieldKind.TEXT,
            placeholder="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYHOUR=10",
            hint="An iCalendar RRULE; when set it replaces the days and time above.",
        ),
    ),
    error_field="days",
)


def cadence_values(c: CadenceView) -> dict[str, Raw]:
    """The settings form's starting values from the round as it stands."""
    simple = c.simple()
    days, at = simple if simple else ([4], time(10, 0))
    return {
        "active": "yes" if c.active else "no",
        "days": [str(d) for d in days],
        "time": f"{at:%H:%M}",
        "deadline_days": str(min(c.deadline_days, 6)),
        "deadline_time": f"{c.deadline_time:%H:%M}",
        "reporters": [p.external_id for p in c.reporters],
        "channel": c.report_channel or "",
        "rrule": "" if simple else c.rrule,
    }


def cadence_request(c: CadenceView) -> FormRequest:
    """The settings form for a project's round."""
    at = c.next_open.astimezone(zone(c.timezone)) if c.next_open else None
    nxt = f"{at:%a} {at.day} {at:%b %H:%M}" if at else "none in the next 2 months"
    intro = (
        f"Times are in the PM's time zone, {c.timezone}. Next nudge: {nxt}. Only those who "
        "haven't submitted are chased (2 h before and at the deadline)."
    )
    return FormRequest(CADENCE_FORM, cadence_values(c), {"key": c.project_key}, intro=intro)


def submit_cadence(
    session: Session,
    actor: Actor,
    *,
    key: str,
    values: Mapping[str, Raw],
    pick: Pick,
    now: datetime,
) -> CadenceView:
    """Read and save a whole status round from the form's answers (one audit entry)."""
    r = Reader(CADENCE_FORM, values)
    rrule = r.text("rrule")
    days = [int(d) for d in r.choices("days")]
    if not rrule and not days:
        r.fail("days", "Pick at least one day.")
    at = r.time("time", time(10, 0))
    deadline_days = r.choice("deadline_days")
    deadline_time = r.time("deadline_time", time(12, 0))
    channel = r.text("channel") or None
    active = r.flag("active")
    reporter_ids = [p.id for p in r.people("reporters", pick)]
    r.done()
    form = CadenceForm(
        days=days,
        at=at or time(10, 0),
        deadline_days=int(deadline_days or 1),
        deadline_time=deadline_time or time(12, 0),
        reporter_ids=reporter_ids,
        channel=channel,
        active=active,
        rrule=rrule or None,
    )
    return configure_cadence(session, actor, key=key, form=form, now=now)
