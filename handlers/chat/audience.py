"""Who may see a result: the one rule for every channel.

News of a project's work (a project created or closed, an item added or done in it, a
deliverable added, moved or delivered) may be shown to the channel it was asked in; a
private project's news never goes to a channel, only to the people concerned.
"""

from __future__ import annotations

from services.commands.results import (
    ActionResult,
    DeliverableResult,
    ProjectResult,
    RaidEntryResult,
    Result,
)


def private_project(result: Result) -> bool:
    """The result concerns a private project (so it never goes to a channel)."""
    match result:
        case ProjectResult(project):
            return project.private
        case ActionResult(item):
            return item.project_private
        case DeliverableResult(d):
            return d.project_private
        case RaidEntryResult(entry):
            return entry.project_private
        case _:
            return False


def channel_news(result: Result) -> bool:
    """A command's result that the whole channel may see, not only the person who asked."""
    match result:
        case ProjectResult(project, event):
            return event in ("created", "closed") and not project.private
        case ActionResult(item, event):
            return (
                event in ("created", "done")
                and item.project_key is not None
                and not item.project_private
            )
        case DeliverableResult(d):
            return not d.project_private
        case RaidEntryResult(entry, event):
            return event in ("created", "logged") and not entry.project_private
        case _:
            return False


def announce_in(result: Result, channel: str | None) -> str | None:
    """Where news made through a form is posted: the channel it was opened in, or (None) the
    person's own chat when the project is private or there was no channel."""
    return None if private_project(result) else channel
