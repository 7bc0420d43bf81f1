"""The "not yet" form an Accountable fills in instead of signing a deliverable off."""

from __future__ import annotations

from collections.abc import Mapping

from services.commands import ast_registers as reg
from services.core.errors import InvalidInput
from services.core.forms import Field, FieldKind, Form, FormId, FormRequest, Raw, Reader, Ref
from services.raci.views import RaciCard

NOT_YET_FORM = Form(
    FormId.SIGNOFF_NOT_YET,
    "Not yet",
    "Send",
    (
        Field(
            "reason",
            "What is missing?",
            FieldKind.LONG_TEXT,
            required=True,
            max_length=1000,
            hint="Whoever marked it done and the Responsible are told.",
        ),
    ),
)


def not_yet_request(card: RaciCard) -> FormRequest:
    """The form for one deliverable waiting for sign-off."""
    d = card.deliverable
    assert d is not None
    return FormRequest(
        NOT_YET_FORM,
        {},
        {"deliverable": d.id, "key": card.project_key},
        intro=f"{card.project_key} #{d.id} {d.title}: why is it not ready to sign off?",
    )


def read_not_yet(values: Mapping[str, Raw], ref: Mapping[str, Ref]) -> reg.DeliverableSignoff:
    """The command the filled-in form stands for."""
    r = Reader(NOT_YET_FORM, values)
    reason = r.text("reason")
    r.done()
    if not ref.get("deliverable"):
        raise InvalidInput("This form lost its deliverable; click the button again.")
    return reg.DeliverableSignoff(int(str(ref["deliverable"])), approve=False, reason=reason)
