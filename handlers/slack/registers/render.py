"""Every register result as a Slack message: one match, ending in `assert_never`."""

from __future__ import annotations

from typing import assert_never

from handlers.slack.blocks import Message, escape, fallback, section
from handlers.slack.registers import dependencies, documents, raci, register
from services.commands.results_registers import (
    DependencyListResult,
    DependencyResult,
    DocumentListResult,
    DocumentResult,
    FileResult,
    PhasesResult,
    RaciMatrixResult,
    RaciResult,
    RegisterCardResult,
    RegisterResult,
    RegistersResult,
    SignoffResult,
)


def message(result: RegistersResult) -> Message:
    """The Slack message for a register result."""
    match result:
        case RaciResult():
            return raci.raci_message(result)
        case RaciMatrixResult(m):
            return raci.matrix_message(m)
        case SignoffResult():
            return raci.signoff_message(result)
        case FileResult(filename, title, _content, summary):
            text = f"📎 {title}: {filename} ({summary}) is in your messages with me."
            return Message(fallback("", text), [section(escape(text))])
        case DependencyResult():
            return dependencies.dependency_message(result)
        case DependencyListResult():
            return dependencies.dependency_list_message(result)
        case RegisterResult():
            return register.register_message(result)
        case RegisterCardResult():
            return register.card_message(result)
        case PhasesResult():
            return register.phases_message(result)
        case DocumentResult():
            return documents.document_message(result)
        case DocumentListResult():
            return documents.document_list_message(result)
        case _:
            assert_never(result)
