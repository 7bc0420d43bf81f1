"""The "request changes" form behind the document button."""

from __future__ import annotations

from collections.abc import Mapping

from services.commands import ast_registers as reg
from services.core.errors import InvalidInput
from services.core.forms import Field, FieldKind, Form, FormId, FormRequest, Raw, Reader, Ref
from services.documents.views import DocumentView

CHANGES_FORM = Form(
    FormId.DOCUMENT_CHANGES,
    "Request changes",
    "Send",
    (
        Field(
            "comment",
            "What should change?",
            FieldKind.LONG_TEXT,
            required=True,
            max_length=2000,
            hint="Whoever added the document is told; your comment stays with this version.",
        ),
    ),
)


def changes_request(doc: DocumentView, version: str | None) -> FormRequest:
    number = version or doc.current.number
    return FormRequest(
        CHANGES_FORM,
        {},
        {"document": doc.id, "version": number},
        intro=f"{doc.project_key} · {doc.title} v{number}",
    )


def read_changes(values: Mapping[str, Raw], ref: Mapping[str, Ref]) -> reg.DocChanges:
    """The command the filled-in form stands for."""
    r = Reader(CHANGES_FORM, values)
    comment = r.text("comment")
    r.done()
    if not ref.get("document"):
        raise InvalidInput("This form lost its document; click the button again.")
    version = str(ref["version"]) if ref.get("version") else None
    return reg.DocChanges(int(str(ref["document"])), comment, version)
