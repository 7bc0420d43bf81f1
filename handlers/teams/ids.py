"""Card verbs (Action.Execute) and dialog kinds: enums, never inline strings."""

from __future__ import annotations

import enum


class Verb(enum.StrEnum):
    DONE = "item.done"
    REOPEN = "item.reopen"
    SNOOZE = "item.snooze"
    REASSIGN = "item.reassign"
    COMMAND = "command"  # a button that runs a command of the language
    NOTICE = "notice"  # a notice's button (handlers/chat/notices.py: its key and ref)


class Dialog(enum.StrEnum):
    """What a `task/fetch` opens."""

    FORM = "form"  # a form request carried in the button's data
    EDIT_ITEM = "edit_item"
    STATUS = "status"
    NOTICE = "notice"  # a notice's button that asks for more first (a reason, a date)


class MessageAction(enum.StrEnum):
    """The message-extension action commands of the app package."""

    CREATE_ITEM = "createActionItem"
    ADD_TO_MINUTES = "addToMinutes"


SNOOZE_DAYS = (("1", "Tomorrow"), ("3", "3 days"), ("7", "A week"))
