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
    # the RAID log: buttons on entries, review reminders and offers
    RAID_SHOW = "pmo.raid.show"
    RAID_EDIT = "pmo.raid.edit"
    RAID_RESCORE = "pmo.raid.rescore"
    RAID_REVIEW = "pmo.raid.review"
    RAID_CLOSE = "pmo.raid.close"
    RAID_RESOLVE = "pmo.raid.resolve"
    RAID_CONFIRM = "pmo.raid.confirm"
    RAID_INVALID = "pmo.raid.invalid"
    RAID_MET = "pmo.raid.met"
    RAID_MISSED = "pmo.raid.missed"
    RAID_REOPEN = "pmo.raid.reopen"
    RAID_OFFER_LOG = "pmo.raid.offer.log"
    RAID_OFFER_EDIT = "pmo.raid.offer.edit"
    RAID_OFFER_DISMISS = "pmo.raid.offer.dismiss"
    OPEN_NEW_RISK = "pmo.open.new_risk"
    OPEN_NEW_ISSUE = "pmo.open.new_issue"
    SIGNOFF = "pmo.raci.signoff"
    SIGNOFF_NOT_YET = "pmo.raci.not_yet"
    DEPENDENCY_ACCEPT = "pmo.dependency.accept"
    DEPENDENCY_PROPOSE = "pmo.dependency.propose"
    DEPENDENCY_DECLINE = "pmo.dependency.decline"
    GATE_APPROVE = "pmo.gate.approve"
    GATE_REJECT = "pmo.gate.reject"
    DOCUMENT_APPROVE = "pmo.doc.approve"
    DOCUMENT_CHANGES = "pmo.doc.changes"
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
    RAID_RISK_MODAL = "pmo.modal.raid_risk"
    RAID_ISSUE_MODAL = "pmo.modal.raid_issue"
    RAID_ENTRY_MODAL = "pmo.modal.raid_entry"
    RAID_RESCORE_MODAL = "pmo.modal.raid_rescore"
    RAID_RESOLVE_MODAL = "pmo.modal.raid_resolve"
    RAID_LOG_MODAL = "pmo.modal.raid_log"
    RAID_LOG_SHORTCUT = "pmo.shortcut.log_raid"
    SIGNOFF_NOT_YET_MODAL = "pmo.modal.signoff_not_yet"
    DEPENDENCY_PROPOSE_MODAL = "pmo.modal.dependency_propose"
    DEPENDENCY_DECLINE_MODAL = "pmo.modal.dependency_decline"
    GATE_REJECT_MODAL = "pmo.modal.gate_reject"
    DOCUMENT_CHANGES_MODAL = "pmo.modal.document_changes"


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
    SIGNOFF_PREFIX = "signoff:"  # + the deliverable id: Sign off / Not yet
    DEPENDENCY_PREFIX = "dependency:"  # + the dependency id: Accept / Propose / Decline
    GATE_PREFIX = "gate:"  # + KEY:phase: Approve / Reject a phase change
    DOCUMENT_PREFIX = "doc:"  # + id:version: Approve / Request changes
    HELP_ACTIONS = "help_actions"
    HOME_ACTIONS = "home_actions"
    RAID_PREFIX = "raid:"  # + the entry id: an entry's buttons
    RAID_OFFER_PREFIX = "raidoffer:"  # + the offer id: Log as issue / Edit first / Dismiss
    LIST_MORE = "list_more"  # the More button under a cut list


SNOOZE_CHOICES = {"1d": ("1 day", 1), "3d": ("3 days", 3), "1w": ("1 week", 7)}
