"""The RAID-log commands of the language: risks, issues, assumptions, dependencies,
decisions, the log itself, offers and the workspace's RAID settings."""

from __future__ import annotations

from typing import assert_never

from models import IssueType, Level, Proximity, RaidEntry, RaidKind, RaidStatus, Strategy
from services.commands import ast_raid as ast
from services.commands.context import Ctx
from services.commands.results import (
    FormResult,
    RaidEntryResult,
    RaidEvent,
    RaidListResult,
    RaidOfferResult,
    RaidSettingsResult,
    Result,
)
from services.core.errors import InvalidInput
from services.core.people import person_ref
from services.projects import register
from services.raid import changes, forms, policy, proposals, queries
from services.raid.entries import NewEntry, add, reband
from services.raid.store import for_change, form_projects
from services.raid.views import KIND_PLURAL

LEVEL_WORDS = {
    "crit": "critical",
    "sev1": "critical",
    "hi": "high",
    "med": "medium",
    "mid": "medium",
    "lo": "low",
}
TYPE_WORDS = {
    "problem": IssueType.PROBLEM,
    "concern": IssueType.PROBLEM,
    "change": IssueType.CHANGE,
    "rfc": IssueType.CHANGE,
    "request": IssueType.CHANGE,
    "cr": IssueType.CHANGE,
    "off_spec": IssueType.OFF_SPEC,
    "offspec": IssueType.OFF_SPEC,
    "off-spec": IssueType.OFF_SPEC,
    "off-specification": IssueType.OFF_SPEC,
}
PROXIMITY_WORDS = {
    "imminent": Proximity.IMMINENT,
    "now": Proximity.IMMINENT,
    "phase": Proximity.THIS_PHASE,
    "this_phase": Proximity.THIS_PHASE,
    "project": Proximity.THIS_PROJECT,
    "this_project": Proximity.THIS_PROJECT,
    "beyond": Proximity.BEYOND,
    "later": Proximity.BEYOND,
}


def _a(word: str) -> str:
    """`an issue`, `a risk`."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def level(word: str, field: str) -> Level:
    low = word.strip().lower()
    try:
        return Level(LEVEL_WORDS.get(low, low))
    except ValueError:
        raise InvalidInput(
            f"{word[:20]!r} is not a {field}.", "Use low, medium, high or critical.", field=field
        ) from None


def issue_type(word: str) -> IssueType:
    found = TYPE_WORDS.get(word.strip().lower().replace(" ", "_"))
    if found is None:
        raise InvalidInput(
            f"{word[:20]!r} is not an issue type.",
            "Use problem (or concern), change (a request for change) or off_spec.",
            field="issue_type",
        )
    return found


def proximity(word: str) -> Proximity:
    found = PROXIMITY_WORDS.get(word.strip().lower().replace(" ", "_"))
    if found is None:
        raise InvalidInput(
            f"{word[:20]!r} is not a proximity.",
            "Use imminent, phase, project or beyond.",
            field="proximity",
        )
    return found


def strategy(word: str) -> Strategy:
    try:
        return Strategy(word.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"{word[:20]!r} is not a response.",
            "Threats: avoid, reduce, fallback, transfer, share, accept. Opportunities: exploit, "
            "enhance, share, reject.",
            field="strategy",
        ) from None


def _result(
    ctx: Ctx,
    e: RaidEntry,
    event: RaidEvent,
    change: changes.StatusChange | None = None,
) -> RaidEntryResult:
    s, actor = ctx.session, ctx.actor
    linked = change.linked if change else None
    offer = change.offer if change else None
    v = queries.view_of(s, actor, e.id)
    return RaidEntryResult(
        v,
        event,
        ctx.today,
        by=person_ref(ctx.me()),
        linked=queries.view_of(s, actor, linked.id) if linked else None,
        offer=proposals.view(offer, v.project_key, v.ref) if offer else None,
    )


def _add(ctx: Ctx, cmd: ast.RaidAdd) -> RaidEntry:
    kind = RaidKind(cmd.kind)
    owner = ctx.person(cmd.owner) if cmd.owner else ctx.me()
    day = ctx.day(cmd.due) if cmd.due else None
    new = NewEntry(
        owner=owner,
        category=cmd.category,
        probability=cmd.probability,
        impact=cmd.impact,
        opportunity=cmd.opportunity,
        proximity=proximity(cmd.proximity) if cmd.proximity else None,
        review_on=day if kind == RaidKind.RISK else None,
        due_on=day if kind != RaidKind.RISK else None,
        severity=level(cmd.severity, "severity") if cmd.severity else None,
        priority=level(cmd.priority, "priority") if cmd.priority else None,
        issue_type=issue_type(cmd.issue_type) if cmd.issue_type else None,
    )
    return add(
        ctx.session, ctx.actor, kind=kind, key=cmd.key, title=cmd.title, new=new, now=ctx.now
    )


def run(ctx: Ctx, cmd: ast.RaidCommand) -> Result:
    """Run one RAID-log command."""
    s, actor, now, today = ctx.session, ctx.actor, ctx.now, ctx.today
    match cmd:
        case ast.RaidAdd():
            return _result(ctx, _add(ctx, cmd), "created")
        case ast.RaidForm(kind, key):
            visible = form_projects(s, actor, register.list_projects(s, actor, now=now))
            me = ctx.me().external_id
            req = forms.new_request(RaidKind(kind), visible, owner=me, channel=ctx.channel, key=key)
            return FormResult(req)
        case ast.RaidEditForm(ref):
            shown = queries.view_of(s, actor, for_change(s, actor, ref).id)
            return FormResult(forms.edit_request(shown, channel=ctx.channel))
        case ast.RaidRescoreForm(ref):
            risk = queries.view_of(s, actor, for_change(s, actor, ref).id)
            if risk.kind != RaidKind.RISK:
                raise InvalidInput(f"{risk.ref} is {_a(risk.kind.value)}; only risks are scored.")
            return FormResult(forms.rescore_request(risk))
        case ast.RaidResolveForm(ref):
            issue = queries.view_of(s, actor, for_change(s, actor, ref).id)
            if issue.kind != RaidKind.ISSUE:
                raise InvalidInput(
                    f"{issue.ref} is {_a(issue.kind.value)}; only issues are resolved."
                )
            return FormResult(forms.resolve_request(issue))
        case ast.RiskScore(ref, p, i, rp, ri, note):
            e = changes.score(
                s, actor, ref=ref, probability=p, impact=i, residual=(rp, ri), note=note, now=now
            )
            return _result(ctx, e, "scored")
        case ast.RaidSetStatus(ref, to, text):
            change = changes.set_status(s, actor, ref=ref, to=RaidStatus(to), text=text, now=now)
            return _result(ctx, change.entry, "status", change)
        case ast.RaidReview(ref):
            return _result(ctx, changes.review(s, actor, ref=ref, now=now), "reviewed")
        case ast.RiskRespond(ref, word, action, owner, due):
            doer = ctx.person(owner) if owner else None
            e = changes.respond(
                s,
                actor,
                ref=ref,
                strategy=strategy(word),
                action=action,
                owner=doer,
                due_on=ctx.day(due) if due else None,
                now=now,
            )
            return _result(ctx, e, "responded")
        case ast.RaidAssign(ref, owner):
            e = changes.assign(s, actor, ref=ref, owner=ctx.person(owner), now=now)
            return _result(ctx, e, "assigned")
        case ast.RaidList(scope, key, kinds, closed, page_no):
            wanted = tuple(RaidKind(k) for k in kinds)
            page = queries.list_entries(
                s, actor, scope=scope, key=key, kinds=wanted, closed=closed, page=page_no
            )
            what = " and ".join(KIND_PLURAL[k] for k in wanted) if wanted else "RAID log"
            where = {"mine": "Yours", "all": "Portfolio"}.get(scope, key or "")
            title = f"{where}: {'open ' if not closed else ''}{what}"
            words = " ".join([key or scope, *(KIND_PLURAL[k] for k in wanted)])
            again = f"raid {words}{' closed' if closed else ''}"
            return RaidListResult(
                title, page, today, f"Nothing in the {what} here.", page.next_command(again)
            )
        case ast.RaidShow(ref):
            return RaidEntryResult(queries.show(s, actor, ref=ref), "shown", today)
        case ast.DecisionAdd(key, text, decided):
            on = ctx.day(decided) if decided else today
            new = NewEntry(decided_on=on)
            e = add(s, actor, kind=RaidKind.DECISION, key=key, title=text, new=new, now=now)
            return _result(ctx, e, "created")
        case ast.DecisionList(key, page_no):
            page = queries.list_entries(
                s,
                actor,
                scope="project",
                key=key,
                kinds=(RaidKind.DECISION,),
                closed=True,
                page=page_no,
            )
            return RaidListResult(
                f"Decision log of {key}",
                page,
                today,
                f"{key} has no decisions yet.",
                page.next_command(f"decision list {key}"),
            )
        case ast.RaidOffer(offer_id, "dismiss"):
            return RaidOfferResult(proposals.dismiss(s, actor, offer_id=offer_id, now=now))
        case ast.RaidOffer(offer_id, "edit"):
            proposal, project = proposals.prefill(s, actor, offer_id)
            visible = register.list_projects(s, actor, now=now)
            offer = proposals.view(proposal, project.key)
            me = ctx.me().external_id
            return FormResult(forms.offer_request(offer, visible, owner=me))
        case ast.RaidOffer(offer_id, _):
            return _result(ctx, proposals.log(s, actor, offer_id=offer_id, now=now), "logged")
        case ast.RaidSettings(words):
            if not words:
                return RaidSettingsResult(policy.policy_of(s, actor.workspace_id), False)
            new_policy = policy.set_policy(s, actor, words=words, now=now)
            reband(s, workspace_id=actor.workspace_id, policy=new_policy, now=now)
            return RaidSettingsResult(new_policy, True)
        case _:
            assert_never(cmd)
