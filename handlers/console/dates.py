"""How a person writes dates (`me dates`) as console text. Pure."""

from __future__ import annotations

from services.commands.results import DatesResult

SOURCE = {
    "yours": "your choice",
    "locale": "from your language setting",
    "workspace": "the workspace's setting",
    "default": "the default",
}


def dates_text(result: DatesResult) -> str:
    """How the person writes dates (`me dates`)."""
    v = result.dates
    source = SOURCE[v.source] + (f" ({v.locale})" if v.source == "locale" and v.locale else "")
    lead = "Saved. " if result.changed else ""
    return (
        f"{lead}You write dates {v.order.value}: today is {v.example} ({source}).\n"
        "Change it with `me dates DMY`, `me dates MDY` or `me dates YMD`; "
        "`me dates auto` follows your language, else the workspace."
    )
