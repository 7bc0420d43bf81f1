"""Every action_id, callback_id and block_id prefix PMO Bot uses in Slack."""

from __future__ import annotations

import enum


class ActionId(enum.StrEnum):
    ITEM_DONE = "pmo.item.done"
    ITEM_SNOOZE = "pmo.item.snooze"
    ITEM_REASSIGN = "pmo.item.reassign"
    ITEM_REOPEN = "pmo.item.reopen"
    ITEM_EDIT = "pmo.item.edit"
    OPEN_NEW_ITEM = "pmo.open.new_item"
    OPEN_NEW_PROJECT = "pmo.open.new_project"
    OPEN_NEW_DELIVERABLE = "pmo.open.new_deliverable"
    SHOW_MINE = "pmo.show.mine"
    SHOW_OVERDUE = "pmo.show.overdue"
    STATUS_OPEN = "pmo.status.open"
    STATUS_SHOW = "pmo.status.show"
    CADENCE_OPEN = "pmo.status.cadence"
    MINUTES_ADD = "pmo.minutes.add"
    MINUTES_END = "pmo.minutes.end"
    MINUTES_START = "pmo.minutes.start"
    LIST_MORE = "pmo.list.more"  # the next page of a cut list (its value: the command)


class CallbackId(enum.StrEnum):
    NEW_ITEM_MODAL = "pmo.modal.new_item"
    EDIT_ITEM_MODAL = "pmo.modal.edit_item"
    NEW_PROJECT_MODAL = "pmo.modal.new_project"
    NEW_DELIVERABLE_MODAL = "pmo.modal.new_deliverable"
    CREATE_ITEM_SHORTCUT = "pmo.shortcut.create_item"
    STATUS_MODAL = "pmo.modal.status"
    CADENCE_MODAL = "pmo.modal.cadence"
    MINUTES_MODAL = "pmo.modal.minutes"
    ADD_TO_MINUTES_SHORTCUT = "pmo.shortcut.add_to_minutes"
    ADD_TO_MINUTES_MODAL = "pmo.modal.add_to_minutes"
    MEETING_IMPORT_MODAL = "pmo.modal.meeting_import"


class BlockId(enum.StrEnum):
    """Block ids of our own (a modal's input blocks are named after its form's fields)."""

    TITLE = "title"  # the item form's fields, as tests and payloads name them
    PROJECT = "project"
    OWNER = "owner"
    DUE = "due"
    NOTES = "notes"
    ITEM_PREFIX = "item:"  # + the item id: an item's buttons
    STATUS_PREFIX = "status:"  # + the project key: a status nudge's or escalation's button
    AGENDA_PREFIX = "agenda:"  # + the occurrence id: Start minutes
    MINUTES_PREFIX = "minutes:"  # + the minutes id: Add… / End on the live message
    HELP_ACTIONS = "help_actions"
    HOME_ACTIONS = "home_actions"
    LIST_MORE = "list_more"  # the More button under a cut list


SNOOZE_CHOICES = {"1d": ("1 day", 1), "3d": ("3 days", 3), "1w": ("1 week", 7)}
