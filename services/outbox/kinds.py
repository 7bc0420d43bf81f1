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
    SIGNOFF_REQUEST = "signoff_request"  # Sign off / Not yet, to a deliverable's Accountable
    DEPENDENCY_REQUEST = "dependency_request"  # Accept / Propose another date / Decline
    DOCUMENT_REVIEW = "document_review"  # Approve / Request changes, to a document's approver
    GATE_REQUEST = "gate_request"  # Approve / Reject a phase change, to the gate's approver
