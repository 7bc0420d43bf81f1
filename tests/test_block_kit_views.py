"""Every modal the bot opens and the App Home tab are views Slack accepts, whatever the data.

Each form of `handlers/chat/forms.DEFINITIONS` is rendered (`handlers/slack/forms.modal`)
prefilled from generated values — long, unicode and mrkdwn-special text, empty and missing
optional values, values at and over their field's length — and through each feature's own
request builder from generated views (an item, a RAID entry, a status round, minutes …); the
Home tab from generated work. `tests/block_kit.view_problems` checks them against the view
limits of ../shared/SLACK_PLATFORM.md and slack_sdk's own validators.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.chat.forms import DEFINITIONS
from handlers.slack import forms as slack_forms
from handlers.slack.workspace.home import home_view
from models import ActionStatus, ProjectState, RaidKind
from services.core.forms import Field, FieldKind, FormId, FormRequest, Raw, Ref
from services.core.views import ActionItemView, PersonRef, ProjectView
from services.dependencies import forms as dependency_forms
from services.dependencies.views import DependencyView
from services.documents import forms as document_forms
from services.documents.views import DocumentView
from services.meetings import forms as meeting_forms
from services.meetings.views import MinutesView
from services.projects import forms as project_forms
from services.raci import forms as raci_forms
from services.raci.views import RaciCard
from services.raid import forms as raid_forms
from services.raid.views import OfferView, RaidEntryView
from services.status import forms as status_forms
from services.status.cadence import CadenceView
from services.status.update import UpdateFields
from services.work import forms as work_forms
from services.workspace.home import HomeData
from tests.block_kit import view_problems
from tests.test_block_kit_property import HANDLE, KEY, SETTINGS, SLACK_ID, TEXT, build

CHANNEL = st.one_of(st.none(), st.just(""), st.from_regex(r"\AC[A-Z0-9]{8}\Z"))
LINK = st.one_of(
    st.none(), st.from_regex(r"\Ahttps://acme\.slack\.com/archives/C[0-9A-Z]{8}/p[0-9]{16}\Z")
)
OWNER = st.one_of(st.none(), SLACK_ID, HANDLE)
PHASE = st.text(min_size=1, max_size=40).filter(str.strip)  # phases.MAX_PHASE
VERSION = st.from_regex(r"\A[0-9A-Za-z][0-9A-Za-z.\-_]{0,19}\Z")  # documents.library.NUMBER
# Many projects: more than one select can list (Slack: 100 options), with long names.
PROJECTS = st.one_of(
    st.lists(build(ProjectView), min_size=1, max_size=5, unique_by=lambda p: p.key),
    st.lists(build(ProjectView), min_size=101, max_size=230, unique_by=lambda p: p.key),
)


def _at_limit(f: Field) -> st.SearchStrategy[str]:
    """Text exactly at, and just over, what the field takes (and over what Slack shows)."""
    n = f.max_length or 3000
    return st.sampled_from([n, n + 1, 3001, 4000]).map(lambda k: ("é<&*" * k)[:k])


def raw(f: Field) -> st.SearchStrategy[Raw]:
    """A starting value a form could be given for a field."""
    empty: st.SearchStrategy[Raw] = st.one_of(st.none(), st.just(""), st.just([]))
    match f.kind:
        case FieldKind.TEXT | FieldKind.LONG_TEXT | FieldKind.LINES:
            return st.one_of(empty, TEXT, _at_limit(f))
        case FieldKind.NUMBER:
            return st.one_of(empty, st.integers(-5, 500).map(str), TEXT)
        case FieldKind.CHOICE | FieldKind.PROJECT:
            values = [v for v, _ in f.choices] or ["APOLLO"]
            return st.one_of(empty, st.sampled_from(values), TEXT)
        case FieldKind.CHOICES:
            return st.lists(st.sampled_from([v for v, _ in f.choices] + ["nope"]), max_size=9)
        case FieldKind.PERSON | FieldKind.CHANNEL | FieldKind.DATE | FieldKind.TIME:
            return st.one_of(empty, SLACK_ID, CHANNEL, st.dates().map(str), TEXT)
        case FieldKind.PEOPLE:
            return st.lists(SLACK_ID, max_size=150)
        case FieldKind.FLAG:
            return st.sampled_from(["yes", "no", "", "maybe"])
        case FieldKind.FILE:
            return empty


@st.composite
def requests(draw: st.DrawFn, form_id: FormId) -> FormRequest:
    form = DEFINITIONS[form_id]
    values = {f.name: draw(raw(f)) for f in form.fields}
    ref: dict[str, Ref] = {
        "key": draw(st.one_of(st.none(), KEY)),
        "channel": draw(CHANNEL),
        "source_ref": draw(LINK),
        "item_id": draw(st.integers(1, 10**9)),
    }
    choices = {
        f.name: work_forms.project_choices(draw(PROJECTS))
        for f in form.fields
        if f.kind == FieldKind.PROJECT
    }
    return FormRequest(form, values, ref, choices, intro=draw(st.one_of(st.just(""), TEXT)))


def check(view: dict[str, Any], request: FormRequest | None = None) -> None:
    problems = view_problems(view)
    assert not problems, "Slack would refuse this view:\n" + "\n".join(problems[:10])
    if request is None:
        return
    # What the modal carries back is what it was opened about, whole.
    _, ref, _ = slack_forms.read(request.form.id, view)
    assert ref == json.loads(json.dumps(dict(request.ref)))
    for f in request.form.fields:
        block = next(b for b in view["blocks"] if b.get("block_id", "").endswith(f.name))
        _shown_whole_or_said_so(f, request.values.get(f.name), block)
        # Every choice can be picked, none left out of a long list.
        choices = request.choices_for(f)
        if f.kind in (FieldKind.CHOICE, FieldKind.PROJECT, FieldKind.CHOICES) and choices:
            offered = block["element"].get("options") or [
                o for g in block["element"]["option_groups"] for o in g["options"]
            ]
            assert [o["value"] for o in offered] == [v for v, _ in choices]


def _shown_whole_or_said_so(f: Field, value: Raw, block: dict[str, Any]) -> None:
    """A text the form starts with is shown whole; one too long for Slack's input is shown
    cut, and the field says so (what is stored is not cut by opening the form)."""
    if not isinstance(value, str) or block["element"]["type"] != "plain_text_input":
        return
    shown = block["element"].get("initial_value", "")
    if len(value) <= block["element"].get("max_length", 3000):
        assert shown == value
    else:
        assert shown.endswith("…") and value.startswith(shown[:-1])
        assert f"{len(value):,}" in block["hint"]["text"], block.get("hint")


@pytest.mark.parametrize("form_id", list(DEFINITIONS), ids=lambda f: f.value)
def test_every_form_opens_as_a_valid_modal_whatever_it_is_prefilled_with(form_id: FormId) -> None:
    @SETTINGS
    @given(requests(form_id))
    def run(request: FormRequest) -> None:
        check(slack_forms.modal(request), request)

    run()


# --- each feature's own request builders, from generated views --------------------------------


@SETTINGS
@given(PROJECTS, OWNER, CHANNEL, TEXT, TEXT, LINK)
def test_the_new_item_form_from_a_message(
    projects: list[ProjectView], owner: str | None, channel: str | None, title: str,
    notes: str, link: str | None,
) -> None:  # fmt: skip
    req = work_forms.item_request(
        projects, owner=owner, channel=channel, title=title, notes=notes, source_ref=link
    )
    check(slack_forms.modal(req), req)
    req = work_forms.deliverable_request(projects, channel=channel)
    check(slack_forms.modal(req), req)


@SETTINGS
@given(build(ActionItemView), CHANNEL)
def test_the_edit_item_form(item: ActionItemView, channel: str | None) -> None:
    req = work_forms.edit_request(item, channel=channel)
    check(slack_forms.modal(req), req)


@SETTINGS
@given(KEY, PHASE, CHANNEL, st.one_of(st.none(), build(UpdateFields)))
def test_the_project_gate_import_and_status_forms(
    key: str, phase: str, channel: str | None, last: UpdateFields | None
) -> None:
    for req in (
        project_forms.project_request(channel=channel),
        project_forms.reject_request(key, phase),
        meeting_forms.import_request(key=key, channel=channel),
        FormRequest(
            status_forms.STATUS_FORM,
            status_forms.status_values(last),
            {"key": key},
            intro=f"{key} · {phase} · this week's update",
        ),
    ):
        check(slack_forms.modal(req), req)


@SETTINGS
@given(build(CadenceView))
def test_the_status_round_form(c: CadenceView) -> None:
    req = status_forms.cadence_request(c)
    check(slack_forms.modal(req), req)


@SETTINGS
@given(build(MinutesView), TEXT, OWNER, LINK)
def test_the_minutes_forms(v: MinutesView, text: str, author: str | None, link: str | None) -> None:
    req = meeting_forms.minutes_request(v)
    check(slack_forms.modal(req), req)
    req = meeting_forms.add_request(
        minutes_id=v.id, title=v.title, text=text, author=author, source_ref=link
    )
    check(slack_forms.modal(req), req)


@SETTINGS
@given(build(RaidEntryView), CHANNEL)
def test_the_raid_entry_forms(v: RaidEntryView, channel: str | None) -> None:
    for req in (
        raid_forms.edit_request(v, channel=channel),
        raid_forms.rescore_request(v),
        raid_forms.resolve_request(v),
    ):
        check(slack_forms.modal(req), req)


@SETTINGS
@given(PROJECTS, OWNER, CHANNEL, TEXT, LINK, build(OfferView), st.sampled_from(list(RaidKind)))
def test_the_new_raid_entry_forms(
    projects: list[ProjectView], owner: str | None, channel: str | None, text: str,
    link: str | None, offer: OfferView, kind: RaidKind,
) -> None:  # fmt: skip
    key = projects[0].key
    offered = OfferView(**{**offer.__dict__, "kind": "risk", "project_key": key})
    for req in (
        raid_forms.new_request(kind, projects, owner=owner, channel=channel, key=key),
        raid_forms.log_request(projects, owner=owner, channel=channel, text=text, link=link),
        raid_forms.offer_request(offered, projects, owner=owner),
    ):
        check(slack_forms.modal(req), req)


@SETTINGS
@given(build(RaciCard), build(DependencyView), build(DocumentView), st.one_of(st.none(), VERSION))
def test_the_answer_forms(
    card: RaciCard, dep: DependencyView, doc: DocumentView, version: str | None
) -> None:
    # A version's number is at most 20 characters (documents.library.NUMBER, String(20)).
    doc = replace(doc, versions=tuple(replace(v, number=v.number[:20]) for v in doc.versions))
    reqs = [dependency_forms.request(dep, "propose"), dependency_forms.request(dep, "decline"),
            document_forms.changes_request(doc, version)]  # fmt: skip
    if card.deliverable is not None:
        reqs.append(raci_forms.not_yet_request(card))
    for req in reqs:
        check(slack_forms.modal(req), req)


@SETTINGS
@given(build(HomeData))
def test_the_home_tab_is_a_valid_view(data: HomeData) -> None:
    view = home_view(data)
    check(view)
    assert view["blocks"][0]["text"]["text"] == "Your PMO"
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert any(h.startswith("Deliverables due") for h in headers)  # the last part still shows


def test_a_person_in_250_projects_can_pick_every_one_and_long_notes_say_they_are_cut() -> None:
    """Explicit cases of the property above: 250 projects come in 3 groups, none lost; an
    item's 3,500 characters of notes are shown cut with a word saying so, its 301-character
    title whole (the reader then asks for a shorter one)."""
    projects = [ProjectView(i, f"P{i:03d}", f"Project {i}", ProjectState.ACTIVE, False)
                for i in range(250)]  # fmt: skip
    req = work_forms.item_request(projects, owner="U1", channel=None)
    view = slack_forms.modal(req)
    check(view, req)
    select = next(b for b in view["blocks"] if b["block_id"] == "project")["element"]
    assert [len(g["options"]) for g in select["option_groups"]] == [100, 100, 50]
    assert select["option_groups"][2]["label"]["text"] == "P200 — Project 200 – P249 — Project 249"
    ana = PersonRef(1, "U1", "ana", "Ana")
    item = ActionItemView(9, "t" * 301, ActionStatus.OPEN, ana, None, None, None, None,
                          notes="n" * 3500)  # fmt: skip
    req = work_forms.edit_request(item, channel=None)
    view = slack_forms.modal(req)
    check(view, req)
    notes = next(b for b in view["blocks"] if b["block_id"] == "notes")
    assert len(notes["element"]["initial_value"]) == 3000 and "3,500" in notes["hint"]["text"]
    title = next(b for b in view["blocks"] if b["block_id"] == "title")["element"]
    assert title["initial_value"] == "t" * 301
