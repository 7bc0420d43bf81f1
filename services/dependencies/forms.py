"""The two forms behind the dependency buttons: propose another date, decline (saying why)."""

from __future__ import annotations

from collections.abc import Mapping

from services.commands import ast_registers as reg
from services.core.dates import DateSense
from services.core.errors import InvalidInput
from services.core.forms import Field, FieldKind, Form, FormId, FormRequest, Raw, Reader, Ref
from services.dependencies.views import DependencyView

PROPOSE_FORM = Form(
    FormId.DEPENDENCY_PROPOSE,
    "Propose another date",
    "Propose",
    (
        Field(
            "on",
            "The date you propose",
            FieldKind.DATE,
            required=True,
            hint="The other project's PM can accept it, propose another or decline.",
        ),
    ),
)
DECLINE_FORM = Form(
    FormId.DEPENDENCY_DECLINE,
    "Decline",
    "Decline",
    (
        Field(
            "reason",
            "Why?",
            FieldKind.LONG_TEXT,
            required=True,
            max_length=1000,
            hint="The other project's PM is told.",
        ),
    ),
)


def request(v: DependencyView, answer: str) -> FormRequest:
    """The propose or decline form of one dependency."""
    form = PROPOSE_FORM if answer == "propose" else DECLINE_FORM
    intro = (
        f"Dependency #{v.id}: {v.downstream_key} needs “{v.what}” from {v.upstream_key} "
        f"by {v.on_the_table.isoformat()}."
    )
    values: dict[str, Raw] = {"on": v.on_the_table.isoformat()} if answer == "propose" else {}
    return FormRequest(form, values, {"dependency": v.id}, intro=intro)


def _dependency(ref: Mapping[str, Ref]) -> int:
    if not ref.get("dependency"):
        raise InvalidInput("This form lost its dependency; click the button again.")
    return int(str(ref["dependency"]))


def read_propose(
    values: Mapping[str, Raw], ref: Mapping[str, Ref], *, sense: DateSense
) -> reg.DependPropose:
    """The command the filled-in propose form stands for (the date read as the person
    writes dates, in their zone)."""
    r = Reader(PROPOSE_FORM, values)
    on = r.date("on", sense)
    r.done()
    assert on is not None
    return reg.DependPropose(_dependency(ref), on.isoformat())


def read_decline(values: Mapping[str, Raw], ref: Mapping[str, Ref]) -> reg.DependDecline:
    """The command the filled-in decline form stands for."""
    r = Reader(DECLINE_FORM, values)
    reason = r.text("reason")
    r.done()
    return reg.DependDecline(_dependency(ref), reason)
