"""The shared command language: forms, aliases, errors, and no input that crashes it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.commands import ast, ast_meetings
from services.commands.parser import parse, tokenize
from services.core.errors import InvalidInput
from services.core.people import Mention


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ast.Help()),
        ("help", ast.Help()),
        ("help action", ast.Help("action")),
        ("help date", ast.Help("dates")),
        ("admin grant @bob pmo_lead", ast.AdminGrant(Mention(handle="bob"), "pmo_lead")),
        (
            "admin revoke <@U0123ABC|bob> admin",
            ast.AdminRevoke(Mention(external_id="U0123ABC"), "admin"),
        ),
        ('project new APOLLO "Moon landing"', ast.ProjectNew("APOLLO", "Moon landing")),
        (
            'project new apollo "Moon" @ann private',
            ast.ProjectNew("APOLLO", "Moon", Mention(handle="ann"), True),
        ),
        ("project new CRM2 Customer data hub", ast.ProjectNew("CRM2", "Customer data hub")),
        ("project list", ast.ProjectList()),
        ("projects", ast.ProjectList()),
        ("project list all", ast.ProjectList(include_closed=True)),
        ("project show APOLLO", ast.ProjectShow("APOLLO")),
        (
            "project add APOLLO @bob sponsor",
            ast.ProjectAdd("APOLLO", Mention(handle="bob"), "sponsor"),
        ),
        (
            "project add APOLLO <@U99>",
            ast.ProjectAdd("APOLLO", Mention(external_id="U99"), "member"),
        ),
        (
            "project set APOLLO target next friday",
            ast.ProjectSet("APOLLO", "target", "next friday"),
        ),
        (
            'action add APOLLO "Send the plan" @bob due:friday',
            ast.ActionAdd("Send the plan", "APOLLO", Mention(handle="bob"), "friday"),
        ),
        (
            'action add "Send the plan" @bob due:"next tue"',
            ast.ActionAdd("Send the plan", None, Mention(handle="bob"), "next tue"),
        ),
        (
            "action add Call the vendor due: in 3 days @kim",
            ast.ActionAdd("Call the vendor", None, Mention(handle="kim"), "in 3 days"),
        ),
        ("todo add “Smart quotes” by:eom", ast.ActionAdd("Smart quotes", None, None, "eom")),
        ("action list", ast.ActionList()),
        ("action", ast.ActionList()),
        ("mine", ast.ActionList("mine")),
        ("overdue", ast.ActionList("overdue")),
        ("action list APOLLO", ast.ActionList("project", "APOLLO")),
        ("action done 12", ast.ActionDone(12)),
        ("action complete #12", ast.ActionDone(12)),
        ("action snooze 12 next mon", ast.ActionSnooze(12, "next mon")),
        ("action assign 12 @carol", ast.ActionAssign(12, Mention(handle="carol"))),
        ("action due 12 due:friday", ast.ActionDue(12, "friday")),
        (
            'deliverable add APOLLO "Beta" @bob due:2026-12-01',
            ast.DeliverableAdd("APOLLO", "Beta", "2026-12-01", Mention(handle="bob")),
        ),
        ("deliverable list APOLLO", ast.DeliverableList("APOLLO")),
        ("deliverable forecast 3 end of month", ast.DeliverableForecast(3, "end of month")),
        ("deliverable done 3", ast.DeliverableDone(3)),
    ],
)
def test_forms_parse(text: str, expected: ast.Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("projet list", "`projet`", "help"),
        ("project lst", "Did you mean `list`", "help project"),
        ('action add "unclosed', "quote is not closed", "quotes"),
        ("action done twelve", "not an item number", "action done <id>"),
        ("action assign 3 carol", "not a mention", "action assign <id> @person"),
        ('deliverable add APOLLO "Beta"', "needs a due date", "deliverable add"),
        ('deliverable add "Beta" due:friday', "project key is missing", "deliverable add"),
        ("project new APOLLO", "name is missing", 'project new <KEY> "<name>"'),
        ("action edit", "item number is missing", "action edit <id>"),
        ("action edit twelve", "not an item number", "action edit <id>"),
        ("action edit 12 colour red", "has no field `colour`", "action edit <id>"),
        ("minutes add a note", "opens a form", "minutes add"),
        ('"todo"', "`todo`", "help"),
        ('action add "T" @a @b', "one owner", "action add"),
        ("action add @bob due:", "title is missing", "action add"),
        ("help flowers", "no help on", "Topics"),
        ("x" * 5000, "limit is 4000", "Shorten"),
    ],
)
def test_bad_input_says_what_is_wrong_and_the_right_form(
    text: str, message: str, hint: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        parse(text)
    assert message in err.value.message
    assert hint in (err.value.hint or "")


def test_tokenizer_keeps_quoted_runs_and_marks_them() -> None:
    toks = tokenize('add "two words" due:"next tue" @bob')
    assert [(t.text, t.quoted) for t in toks] == [
        ("add", False),
        ("two words", True),
        ("due:next tue", True),
        ("@bob", False),
    ]
    assert toks[3].mention == Mention(handle="bob")


def test_quoted_mention_is_text_not_a_mention() -> None:
    cmd = parse('action add "ping @bob about it"')
    assert cmd == ast.ActionAdd("ping @bob about it")


WORDS = st.sampled_from(
    ["project", "action", "deliverable", "admin", "help", "add", "new", "list", "done",
     "snooze", "assign", "forecast", "show", "set", "APOLLO", "@bob", "<@U123>", "due:",
     "due:friday", '"', "#3", "12", "mine", "overdue", "private", "grant", "pmo_lead", "“"]
)  # fmt: skip


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.one_of(
        st.text(max_size=300), st.lists(WORDS | st.text(max_size=12), max_size=10).map(" ".join)
    )
)
def test_no_input_raises_anything_but_our_user_facing_error(text: str) -> None:
    try:
        cmd = parse(text)
    except InvalidInput as err:
        assert err.message and len(err.message) < 400
    else:
        assert cmd is not None


def test_slack_mentions_of_any_length_are_mentions() -> None:
    assert parse("action assign 3 <@U2>") == ast.ActionAssign(3, Mention(external_id="U2"))
    assert parse("action assign 3 <@W0ABCDEF12|x>") == ast.ActionAssign(
        3, Mention(external_id="W0ABCDEF12")
    )


def test_teams_mentions_keep_spaces_and_become_mentions() -> None:
    cmd = parse('action add APOLLO "Book the room" <at>Maria Lopez</at> due:friday')
    assert cmd == ast.ActionAdd(
        "Book the room", "APOLLO", Mention(display_name="Maria Lopez"), "friday"
    )
    assert parse("project add APOLLO <at>Raj</at> pm") == ast.ProjectAdd(
        "APOLLO", Mention(display_name="Raj"), "pm"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("leave", ast.LeaveShow()),
        ("leave cancel", ast.LeaveCancel()),
        ("leave 2026-12-21 to 2027-01-02", ast.LeaveAdd("2026-12-21", "2027-01-02")),
        ("leave dec 21 until jan 2", ast.LeaveAdd("dec 21", "jan 2")),
        ("ooo friday", ast.LeaveAdd("friday", "friday")),
        ("leave 2026-12-21 2026-12-24", ast.LeaveAdd("2026-12-21", "2026-12-24")),
    ],
)
def test_leave_forms(text: str, expected: ast.Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("new", ast.ActionForm()),
        ("NEW", ast.ActionForm()),
        ("todo", ast.ActionForm()),
        ("action new", ast.ActionForm()),
        ("action add", ast.ActionForm()),
        ("action create", ast.ActionForm()),
        ("todo add", ast.ActionForm()),
        ("project new", ast.ProjectForm()),
        ("project create", ast.ProjectForm()),
        ("deliverable new", ast.DeliverableForm()),
        ("deliverable add", ast.DeliverableForm()),
        ("action edit 12", ast.ActionEditForm(12)),
        ("action edit #12", ast.ActionEditForm(12)),
        ("minutes add", ast_meetings.MinutesForm()),
    ],
)
def test_commands_that_open_forms(text: str, expected: ast.Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('action add "x"', ast.ActionAdd("x")),
        ('action new "x" @bob', ast.ActionAdd("x", None, Mention(handle="bob"))),
        ('new "x" @bob', ast.ActionAdd("x", None, Mention(handle="bob"))),
        (
            'new APOLLO "Send the plan" @x due:fri',
            ast.ActionAdd("Send the plan", "APOLLO", Mention(handle="x"), "fri"),
        ),
        ('project new KEY "Name"', ast.ProjectNew("KEY", "Name")),
        ('project create KEY "Name"', ast.ProjectNew("KEY", "Name")),
        (
            'deliverable new APOLLO "Beta" due:fri',
            ast.DeliverableAdd("APOLLO", "Beta", "fri"),
        ),
        ("todo list", ast.ActionList()),
        ("action", ast.ActionList()),
        ("tasks", ast.ActionList()),
    ],
)
def test_the_same_words_with_arguments_do_not_open_forms(text: str, expected: ast.Command) -> None:
    assert parse(text) == expected


def test_new_with_only_an_owner_still_asks_for_the_title() -> None:
    with pytest.raises(InvalidInput) as err:
        parse("new @bob")
    assert "title is missing" in err.value.message
    assert "action add" in (err.value.hint or "")
