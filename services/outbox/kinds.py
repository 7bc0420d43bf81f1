"""The closed vocabularies of the outbox: reminder rules and the kinds of digest a row holds.

Renderers match on these and end in `assert_never`, so a new rule or kind that nobody renders
is a type error, not a silent blank message.
"""

from __future__ import annotations

import enum


class ReminderRule(enum.StrEnum):
    """Why a reminder line is sent: one line of a bundled reminder DM."""

    HEADS_UP = "heads_up"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    OVERDUE_ON_LEAVE = "overdue_on_leave"
    ESCALATE_PM = "escalate_pm"
    ESCALATE_LEAD = "escalate_lead"
    UNDELIVERABLE = "undeliverable"
    MINUTES_ACTION = "minutes_action"
    # The RAID log: a risk's review (or an issue's, assumption's, dependency's date) is due,
    # then overdue, then its project's PM and the PMO leads are told.
    RAID_DUE = "raid_due"
    RAID_OVERDUE = "raid_overdue"
    RAID_ESCALATE_PM = "raid_escalate_pm"
    RAID_ESCALATE_LEAD = "raid_escalate_lead"
    ESCALATE_ACCOUNTABLE = "escalate_accountable"  # a deliverable's RACI Accountable, before its PM


class DigestKind(enum.StrEnum):
    """What a stored digest (or notice) is; each renders with its own buttons and wording."""

    PERSONAL = "personal"
    PROJECT = "project"
    PMO = "pmo"
    NOTICE = "notice"
    STATUS_NUDGE = "status_nudge"
    STATUS_ESCALATION = "status_escalation"
    STATUS_MISSING = "status_missing"
    STATUS_UPDATE = "status_update"
    MEETING_AGENDA = "meeting_agenda"
    RAID_ESCALATION = "raid_escalation"  # a risk turned red, a high or critical issue
    RAID_OFFER = "raid_offer"  # log a lingering blocker as an issue, an invalid assumption …
    SIGNOFF_REQUEST = "signoff_request"  # Sign off / Not yet, to a deliverable's Accountable
    DEPENDENCY_REQUEST = "dependency_request"  # Accept / Propose another date / Decline
    DOCUMENT_REVIEW = "document_review"  # Approve / Request changes, to a document's approver
    GATE_REQUEST = "gate_request"  # Approve / Reject a phase change, to the gate's approver
