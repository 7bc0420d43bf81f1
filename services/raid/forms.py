"""The RAID forms, defined once: a new or edited risk, issue, assumption, dependency or
decision, a rescore, an issue's resolution, and a chat message logged as a risk or an issue.
Every channel renders them from these definitions; `form_reading` reads them back."""

from __future__ import annotations

from datetime import date

from models import IssueType, Level, Proximity, RaidKind, Strategy
from services.core.errors import InvalidInput
from services.core.forms import Field, FieldKind, Form, FormId, FormRequest, Raw, Ref
from services.core.refs import Cmd, phrase
from services.core.views import ProjectView
from services.raid.entries import TEXT_LIMIT, TITLE_LIMIT
from services.raid.views import OfferView, RaidEntryView

LIKELIHOOD = (
    ("1", "1 · rare"),
    ("2", "2 · unlikely"),
    ("3", "3 · possible"),
    ("4", "4 · likely"),
    ("5", "5 · almost certain"),
)
IMPACT = (
    ("1", "1 · minimal"),
    ("2", "2 · minor"),
    ("3", "3 · moderate"),
    ("4", "4 · major"),
    ("5", "5 · severe"),
)
LEVELS = tuple((lv.value, lv.value.title()) for lv in Level)
ISSUE_TYPES = (
    (IssueType.PROBLEM.value, "Problem or concern"),
    (IssueType.CHANGE.value, "Request for change"),
    (IssueType.OFF_SPEC.value, "Off-specification"),
)
PROXIMITY = (
    (Proximity.IMMINENT.value, "Imminent"),
    (Proximity.THIS_PHASE.value, "This phase"),
    (Proximity.THIS_PROJECT.value, "This project"),
    (Proximity.BEYOND.value, "Beyond the project"),
)
STRATEGIES = tuple((s.value, s.value.title()) for s in Strategy)
KINDS = (("risk", "Risk"), ("issue", "Issue"))

PROJECT = Field("project", "Project", FieldKind.PROJECT, required=True)
TITLE = Field("title", "Title", FieldKind.TEXT, required=True, max_length=TITLE_LIMIT)
OWNER = Field("owner", "Owner", FieldKind.PERSON, required=True)


def _description(hint: str) -> Field:
    return Field(
        "description", "Description", FieldKind.LONG_TEXT, max_length=TEXT_LIMIT, hint=hint
    )


SCORES = (
    Field("probability", "Probability", FieldKind.CHOICE, required=True, choices=LIKELIHOOD),
    Field("impact", "Impact", FieldKind.CHOICE, required=True, choices=IMPACT),
    Field(
        "residual_probability",
        "Residual probability (after the response)",
        FieldKind.CHOICE,
        choices=LIKELIHOOD,
    ),
    Field(
        "residual_impact", "Residual impact (after the response)", FieldKind.CHOICE, choices=IMPACT
    ),
)
RISK_FIELDS = (
    TITLE,
    _description("Cause → event → effect: because of …, … may happen, which would …"),
    Field(
        "category",
        "Category",
        FieldKind.TEXT,
        max_length=60,
        placeholder="e.g. supplier, technical, people",
    ),
    Field(
        "opportunity",
        "Threat or opportunity",
        FieldKind.FLAG,
        option="This is an opportunity (an upside), not a threat",
    ),
    OWNER,
    Field(
        "actionee",
        "Actionee",
        FieldKind.PERSON,
        hint="Who carries out the response, if not the owner.",
    ),
    *SCORES,
    Field("proximity", "Proximity", FieldKind.CHOICE, choices=PROXIMITY),
    Field(
        "strategy",
        "Response",
        FieldKind.CHOICE,
        choices=STRATEGIES,
        hint="Threats: avoid, reduce, fallback, transfer, share, accept. Opportunities: "
        "exploit, enhance, share, reject.",
    ),
    Field(
        "review",
        "Review by",
        FieldKind.DATE,
        hint="Leave empty to review by its band: red weekly, amber fortnightly, green monthly.",
    ),
)
ISSUE_FIELDS = (
    TITLE,
    _description("What happened, and what it affects"),
    Field("issue_type", "Type", FieldKind.CHOICE, choices=ISSUE_TYPES),
    Field(
        "severity",
        "Severity",
        FieldKind.CHOICE,
        required=True,
        choices=LEVELS,
        hint="High and critical issues go to the PMO leads at once.",
    ),
    Field("priority", "Priority", FieldKind.CHOICE, choices=LEVELS),
    OWNER,
    Field("due", "Due", FieldKind.DATE),
)
RISK_FORM = Form(FormId.RAID_RISK, "New risk", "Save", (PROJECT, *RISK_FIELDS), "project")
ISSUE_FORM = Form(FormId.RAID_ISSUE, "New issue", "Save", (PROJECT, *ISSUE_FIELDS), "project")
ENTRY_FORM = Form(
    FormId.RAID_ENTRY,
    "New entry",
    "Save",
    (PROJECT, TITLE, _description("Any detail"), OWNER, Field("due", "Date", FieldKind.DATE)),
    "project",
)
RESCORE_FORM = Form(
    FormId.RAID_RESCORE,
    "Rescore",
    "Save",
    (*SCORES, Field("note", "Why it changed", FieldKind.TEXT, max_length=300)),
    "probability",
)
RESOLVE_FORM = Form(
    FormId.RAID_RESOLVE,
    "Resolve",
    "Resolve",
    (
        Field(
            "resolution",
            "How was it resolved?",
            FieldKind.LONG_TEXT,
            required=True,
            max_length=TEXT_LIMIT,
        ),
    ),
)
LOG_FORM = Form(
    FormId.RAID_LOG,
    "Log as risk / issue",
    "Log it",
    (
        Field("kind", "Log it as", FieldKind.CHOICE, required=True, choices=KINDS, radio=True),
        PROJECT,
        TITLE,
        _description("The message, and anything to add"),
        OWNER,
        Field("probability", "Probability (a risk)", FieldKind.CHOICE, choices=LIKELIHOOD),
        Field("impact", "Impact (a risk)", FieldKind.CHOICE, choices=IMPACT),
        Field("severity", "Severity (an issue)", FieldKind.CHOICE, choices=LEVELS),
        Field("due", "Review by (a risk) or due (an issue)", FieldKind.DATE),
    ),
    "project",
)
ENTRY_LABELS = {
    RaidKind.ASSUMPTION: ("New assumption", "Validate by"),
    RaidKind.DEPENDENCY: ("New dependency", "Needed by"),
    RaidKind.DECISION: ("New decision", "Decided on"),
}


def project_choices(projects: list[ProjectView]) -> dict[str, tuple[tuple[str, str], ...]]:
    if not projects:
        raise InvalidInput(
            "There are no projects yet.", phrase("Create one: ", Cmd('project new KEY "Name"'))
        )
    return {"project": tuple((p.key, f"{p.key} — {p.name}") for p in projects)}


def new_request(
    kind: RaidKind,
    projects: list[ProjectView],
    *,
    owner: str | None,
    channel: str | None,
    key: str | None = None,
) -> FormRequest:
    """The new-entry form of a kind, for a project when given."""
    values: dict[str, Raw] = {"project": key or "", "owner": owner or ""}
    ref: dict[str, Ref] = {"channel": channel, "kind": kind.value}
    choices = project_choices(projects)
    if kind == RaidKind.RISK:
        return FormRequest(RISK_FORM, values, ref, choices)
    if kind == RaidKind.ISSUE:
        return FormRequest(ISSUE_FORM, {**values, "severity": Level.MEDIUM.value}, ref, choices)
    return FormRequest(entry_form(kind, edit=False), values, ref, choices)


def entry_form(kind: RaidKind, *, edit: bool, title: str = "") -> Form:
    """The assumption, dependency or decision form (labels by kind)."""
    heading, date_label = ENTRY_LABELS.get(kind, ("New entry", "Date"))
    fields = tuple(
        Field("due", date_label, FieldKind.DATE) if f.name == "due" else f
        for f in ENTRY_FORM.fields
        if not (edit and f.name == "project")
    )
    return Form(FormId.RAID_ENTRY, title or heading, "Save", fields, "title" if edit else "project")


def edit_form(v: RaidEntryView) -> Form:
    """A kind's form without the project field, titled with the entry's ref."""
    title = f"Edit {v.ref}"
    if v.kind == RaidKind.RISK:
        return Form(FormId.RAID_RISK, title, "Save", RISK_FIELDS, "title")
    if v.kind == RaidKind.ISSUE:
        return Form(FormId.RAID_ISSUE, title, "Save", ISSUE_FIELDS, "title")
    return entry_form(v.kind, edit=True, title=title)


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _n(value: int | None) -> str:
    return "" if value is None else str(value)


def edit_request(v: RaidEntryView, *, channel: str | None) -> FormRequest:
    """The edit form of an entry, with what it holds now."""
    values: dict[str, Raw] = {
        "title": v.title,
        "description": v.description,
        "owner": v.owner.external_id if v.owner else "",
    }
    if v.kind == RaidKind.RISK:
        values.update(
            category=v.category or "",
            opportunity="yes" if v.opportunity else "no",
            actionee=v.actionee.external_id if v.actionee else "",
            probability=_n(v.probability),
            impact=_n(v.impact),
            residual_probability=_n(v.residual_probability),
            residual_impact=_n(v.residual_impact),
            proximity=v.proximity.value if v.proximity else "",
            strategy=v.strategy.value if v.strategy else "",
            review=_iso(v.next_date),
        )
    elif v.kind == RaidKind.ISSUE:
        values.update(
            issue_type=v.issue_type.value if v.issue_type else "",
            severity=v.severity.value if v.severity else "",
            priority=v.priority.value if v.priority else "",
            due=_iso(v.next_date),
        )
    else:
        values["due"] = _iso(v.next_date)
    ref: dict[str, Ref] = {"entry_id": v.id, "channel": channel, "kind": v.kind.value}
    intro = f"{v.full_ref} · {v.project_name}"
    return FormRequest(edit_form(v), values, ref, intro=intro, editing=True)


def rescore_request(v: RaidEntryView) -> FormRequest:
    """Rescore a risk, starting from its current scores."""
    values: dict[str, Raw] = {
        "probability": _n(v.probability),
        "impact": _n(v.impact),
        "residual_probability": _n(v.residual_probability),
        "residual_impact": _n(v.residual_impact),
    }
    form = Form(FormId.RAID_RESCORE, f"Rescore {v.ref}", "Save", RESCORE_FORM.fields, "probability")
    intro = f"{v.full_ref} · {v.title} · now {v.probability} × {v.impact} = {v.score}"
    return FormRequest(form, values, {"entry_id": v.id}, intro=intro)


def resolve_request(v: RaidEntryView) -> FormRequest:
    form = Form(FormId.RAID_RESOLVE, f"Resolve {v.ref}", "Resolve", RESOLVE_FORM.fields)
    return FormRequest(form, {}, {"entry_id": v.id}, intro=f"{v.full_ref} · {v.title}")


def log_request(
    projects: list[ProjectView],
    *,
    owner: str | None,
    channel: str | None,
    text: str,
    link: str | None,
) -> FormRequest:
    """The message shortcut's form, prefilled from the message."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    values: dict[str, Raw] = {
        "kind": "risk",
        "title": first[:TITLE_LIMIT],
        "description": text[:TEXT_LIMIT],
        "owner": owner or "",
        "severity": Level.MEDIUM.value,
    }
    ref: dict[str, Ref] = {"channel": channel, "source_ref": link}
    return FormRequest(LOG_FORM, values, ref, project_choices(projects))


def offer_request(o: OfferView, projects: list[ProjectView], *, owner: str | None) -> FormRequest:
    """An offer's entry form, prefilled, to edit before logging it."""
    kind = RaidKind(o.kind)
    req = new_request(kind, projects, owner=owner, channel=None, key=o.project_key)
    values = {**req.values, "title": o.title, "description": o.detail}
    if kind == RaidKind.RISK:
        values.update(probability="3", impact="3")
    rounds = f" (rounds {', '.join(o.rounds)})" if o.rounds else ""
    return FormRequest(
        req.form,
        values,
        {**req.ref, "offer_id": o.id},
        req.choices,
        intro=f"Offered from {o.project_key}{rounds}",
    )
