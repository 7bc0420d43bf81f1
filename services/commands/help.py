"""The command reference: one entry per command form, grouped by topic."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.examples import DATE_EXAMPLES


@dataclass(frozen=True)
class HelpEntry:
    topic: str
    usage: str
    summary: str


ENTRIES: tuple[HelpEntry, ...] = (
    HelpEntry("project", 'project new <KEY> "<name>" [@pm] [private]', "Create a project"),
    HelpEntry("project", "project new", "Open the form for a new project"),
    HelpEntry("project", "project list [all]", "Projects you can see (all: with closed ones)"),
    HelpEntry("project", "project show <KEY>", "A project with its members and counts"),
    HelpEntry("project", "project add <KEY> @person <role>", "Add a member (pm, sponsor, member…)"),
    HelpEntry("project", "project remove <KEY> @person", "Remove a member"),
    HelpEntry("project", "project set <KEY> <field> <value>", "Change name, phase, target, state…"),
    HelpEntry("project", "project close <KEY>", "Close a project"),
    HelpEntry("action", 'action add [<KEY>] "<title>" [@owner] [due:<date>]', "Add an action item"),
    HelpEntry("action", "new  ·  todo  ·  action add", "Open the form for a new action item"),
    HelpEntry("action", 'new "<title>" [@owner] [due:<date>]', "The same as `action add`"),
    HelpEntry("action", "action list [mine|overdue|<KEY>]", "List action items (default: mine)"),
    HelpEntry("action", "action show <id>", "One action item"),
    HelpEntry("action", "action done <id>", "Mark an item done"),
    HelpEntry("action", "action snooze <id> <date>", "No reminders until the date"),
    HelpEntry("action", "action assign <id> @person", "Give an item to someone else"),
    HelpEntry("action", "action due <id> <date>", "Move an item's due date"),
    HelpEntry("action", "action edit <id>", "Open an item's form to change it"),
    HelpEntry("action", "action reopen <id>  ·  action cancel <id>", "Reopen or cancel an item"),
    HelpEntry(
        "deliverable",
        'deliverable add <KEY> "<title>" [@owner] due:<date>',
        "Add a deliverable (baseline = forecast = due)",
    ),
    HelpEntry("deliverable", "deliverable new", "Open the form for a new deliverable"),
    HelpEntry("deliverable", "deliverable list <KEY>", "A project's deliverables and slips"),
    HelpEntry("deliverable", "deliverable forecast <id> <date>", "Re-forecast a deliverable"),
    HelpEntry("deliverable", "deliverable done <id>", "Mark a deliverable done"),
    HelpEntry("leave", "leave <from> to <to>", "Record leave: you are not chased, your PM is"),
    HelpEntry("leave", "leave  ·  leave cancel", "Show or cancel your current and upcoming leave"),
    HelpEntry("admin", "admin grant @person <admin|pmo_lead>", "Give a workspace role (admins)"),
    HelpEntry("admin", "admin revoke @person <admin|pmo_lead>", "Take a workspace role away"),
    HelpEntry("admin", "admin roles", "Who holds workspace roles"),
    HelpEntry("status", "status <KEY>", "Write this week's status update (a form, prefilled)"),
    HelpEntry(
        "status",
        'status <KEY> <green|amber|red> "<summary>"',
        "The one-line update; edit it until the round closes",
    ),
    HelpEntry("status", "status show <KEY>", "The project's latest update"),
    HelpEntry(
        "status",
        "status settings <KEY> [day|time|deadline|reporters|channel|rrule|on|off <value>]",
        "When the project reports (default Thu 10:00, due next day 12:00), who, and where",
    ),
    HelpEntry("status", "report [<week>]", "The portfolio report: this week, `last` or 2026-W47"),
    HelpEntry("status", "report stats", "On-time submission rate per project and PM"),
    HelpEntry(
        "digest",
        "digest  ·  digest off  ·  digest on  ·  digest at <time>",
        "Your daily digest (overdue, due today, due this week): see it, opt out, move it",
    ),
    HelpEntry("admin", "settings", "This workspace's settings: reminders, digests, PMO channel"),
    HelpEntry(
        "admin",
        "settings reminders <heads_up|escalate_pm_after|escalate_lead_after> <value>",
        "Change when reminders and escalations go out (admins, PMO leads)",
    ),
    HelpEntry(
        "admin",
        "settings digests <project_day|project_time|pmo_day|pmo_time> <value>",
        "When the weekly project and PMO digests go out (e.g. `project_day mon`, `pmo_time 9:30`);"
        " `project_weekly off` / `pmo_weekly off` stops them",
    ),
    HelpEntry(
        "admin",
        "settings pmo_channel #channel  ·  settings timezone <Area/City>  ·  "
        "settings status rounds on|off",
        "Where the PMO digest goes; the zone weekly digests are timed in; status rounds",
    ),
    HelpEntry("minutes", 'minutes start [<KEY>] ["<title>"]', "Start minutes in this channel"),
    HelpEntry(
        "minutes",
        "minutes note <text>  ·  minutes decision <text>",
        "Add a note or a decision to the open minutes",
    ),
    HelpEntry(
        "minutes",
        "minutes action @owner [due:<date>] <text>",
        "Minute an action item (tracked at once; the owner is told at the end)",
    ),
    HelpEntry(
        "minutes",
        "minutes attendee @a @b  ·  minutes absent @c",
        "Who attended, and who sent regrets",
    ),
    HelpEntry(
        "minutes",
        "minutes add",
        "A form for attendees, notes, decisions and an action at once",
    ),
    HelpEntry("minutes", "minutes end", "Close them: posted to the project channel, owners DMed"),
    HelpEntry(
        "minutes",
        "minutes [show [<id>]]  ·  minutes list [<KEY>]",
        "The open minutes here (or any by number); recent minutes",
    ),
    HelpEntry("minutes", "minutes export <id>", "The minutes as a Markdown file"),
    HelpEntry(
        "minutes",
        "minutes amend <id> note|decision <text>  ·  minutes amend <id> "
        "edit|remove note|decision <n> [<text>]  ·  minutes amend <id> title <text>",
        "Change closed minutes (the starter, the PM or a PMO lead)",
    ),
    HelpEntry(
        "meeting",
        'meeting new <KEY> "<title>" <weekly on tue 10:00 | RRULE>',
        "A meeting series: the agenda comes 15 minutes before each one",
    ),
    HelpEntry(
        "meeting",
        "meeting list [<KEY>]  ·  meeting cancel <id>",
        "Meeting series and their next occurrence; stop one",
    ),
    HelpEntry(
        "meeting",
        "ics [<KEY>]  ·  ics revoke [<KEY>]",
        "A private calendar-feed link (yours, or a project's); revoke it",
    ),
    HelpEntry(
        "dates",
        "me dates  ·  me dates DMY|MDY|YMD|auto",
        "How you write numeric dates: 31/12 (DMY), 12/31 (MDY) or 2026/12/31 (YMD); auto follows"
        " your Slack or Teams language, else the workspace",
    ),
    HelpEntry(
        "dates",
        "settings date_order DMY|MDY|YMD",
        "The workspace's date order, for people whose platform gives none (admins, PMO leads)",
    ),
    HelpEntry(
        "help",
        "help [<topic>]",
        "This help; topics: project, action, deliverable, status, minutes, meeting, raid, raci, "
        "depend, doc, leave, digest, admin, people, dates",
    ),
    HelpEntry(
        "project",
        "project register [csv|xlsx|<KEY>]",
        "The project register (PMO leads): PM, sponsor, phase, dates, budget, RAG, top risk",
    ),
    HelpEntry(
        "project",
        "project set <KEY> budget|actual <amount> [EUR]  ·  project set <KEY> currency <code>",
        "The planned and actual budget (start and end: `start`, `end`)",
    ),
    HelpEntry("project", "project phases [<phase> …]", "This workspace's phases (set: admins)"),
    HelpEntry(
        "project",
        'project gate <KEY> [<phase> @approver | approve | reject "<why>"]',
        "Stage gates: who approves entering a phase; `project set <KEY> phase <phase>` asks them",
    ),
    HelpEntry(
        "deliverable",
        'deliverable signoff <id> [no "<why>"]',
        "Sign off a deliverable marked done (its Accountable), or say why not yet",
    ),
    HelpEntry("raci", "raci <KEY> [<deliverable id>]", "The RACI chart, or one deliverable's"),
    HelpEntry(
        "raci",
        "raci set <KEY> [<deliverable id>] R @a @b A @c C @d I @e",
        "Set letters (no id: the project's default); `- @x` removes someone; one A only",
    ),
    HelpEntry("raci", "raci clear <KEY> [<deliverable id>]", "Back to the project's default"),
    HelpEntry("raci", "raci export <KEY>", "The chart as an Excel file"),
    HelpEntry(
        "depend",
        'depend <KEY> on <OTHER> "<what>" by:<date> [#<deliverable>]',
        "Ask the other project's PM to commit to it",
    ),
    HelpEntry("depend", "depend list [<KEY>]", "Dependencies both ways, with their state and risk"),
    HelpEntry("depend", "depend accept <id>", "Agree to the date on the table"),
    HelpEntry("depend", "depend propose <id> <date>", "Propose another date"),
    HelpEntry("depend", 'depend decline <id> "<why>"', "Decline, saying why"),
    HelpEntry("doc", 'doc add <KEY> "<title>" <url> [v:1.0]', "Register a document (a link)"),
    HelpEntry(
        "doc",
        'doc version <id> <url> [v:1.1] ["what changed"]',
        "A new version: every approver is asked again",
    ),
    HelpEntry(
        "doc",
        "doc approvers <id> @a @b [by:<date>]",
        "Who approves it (PM or PMO lead); they are asked and chased",
    ),
    HelpEntry("doc", "doc list <KEY>  ·  doc show <id>", "Documents; one with every version"),
    HelpEntry("doc", "doc approve <id>", "Approve the version in review (approvers)"),
    HelpEntry("doc", 'doc changes <id> "<comment>"', "Request changes, with a comment"),
)

ENTRIES += (
    HelpEntry(
        "risk",
        'risk add <KEY> "<title>" p:<1-5> i:<1-5> [@owner] [review:<date>]',
        "Log a risk (score = probability × impact; `type:opportunity` for an upside)",
    ),
    HelpEntry("risk", "risk add [<KEY>]  ·  risk edit <id>", "The risk form, new or to change"),
    HelpEntry(
        "risk",
        "risk score <id> p:<1-5> i:<1-5> [residual p:<1-5> i:<1-5>]",
        "Rescore a risk (its history shows the trend); alone it opens the form",
    ),
    HelpEntry(
        "risk",
        'risk respond <id> <avoid|reduce|fallback|transfer|share|accept> ["<action>" @who '
        "due:<date>]",
        "Set the response; an action becomes a linked action item",
    ),
    HelpEntry("risk", "risk review <id>", "Still valid: the next review falls due by its band"),
    HelpEntry(
        "risk", "risk close|accept|occurred|reopen <id>", "An occurred risk becomes an issue"
    ),
    HelpEntry(
        "issue",
        'issue add <KEY> "<title>" [severity:high] [priority:low] [type:change] [@owner] '
        "[due:<date>]",
        "Log an issue (high and critical go to the PMO leads at once)",
    ),
    HelpEntry("issue", 'issue resolve <id> "<resolution>"  ·  issue close <id>', "Close an issue"),
    HelpEntry(
        "assumption",
        'assumption add <KEY> "<title>" [@owner] [by:<date>]  ·  assumption confirm|invalid <id>',
        "Assumptions to validate; an invalid one is offered as a risk",
    ),
    HelpEntry(
        "dependency",
        'dependency add <KEY> "<title>" [@owner] [by:<date>]  ·  dependency met|missed <id>',
        "What the project needs from outside, and by when",
    ),
    HelpEntry(
        "raid",
        "raid [<KEY>|mine|all] [risks|issues|assumptions|dependencies] [closed]",
        "The RAID log: risks by score, issues by severity (ids like R-3, or APOLLO R-3)",
    ),
    HelpEntry("raid", "raid show <id>", "One entry with its score trend and response actions"),
    HelpEntry("raid", "raid log <n>  ·  raid dismiss <n>", "Take or turn down an offer to log"),
    HelpEntry(
        "raid",
        "settings raid [bands <red> <amber> | review <red|amber|green> <days> | budget <n>]",
        "Score bands (default 15 and 5), review intervals, review reminders a day",
    ),
    HelpEntry("decision", 'decision add <KEY> "<decision>"', "Add to a project's decision log"),
    HelpEntry("decision", "decision list <KEY>", "The decision log (minuted ones included)"),
)

# Everyday use (issue 14): people, your own settings, and more ways to work items.
ENTRIES += (
    HelpEntry("people", "people [page <n>]", "Who the bot knows here: name, time zone, roles"),
    HelpEntry("people", "whoami", "Who you are here, your roles and your time now"),
    HelpEntry("people", "me", "Your own settings: time zone, working hours and days, quiet hours"),
    HelpEntry(
        "people",
        "me timezone <Area/City>  ·  me timezone auto",
        "Your time zone, read and shown everywhere (auto: your chat profile's again)",
    ),
    HelpEntry(
        "people", "me hours 08:00-16:30", "Your working hours: reminders come at their start"
    ),
    HelpEntry("people", "me days mon-thu", "Your working days: nobody is chased on the others"),
    HelpEntry(
        "people", "me quiet 18:00-08:00  ·  me quiet off", "Quiet hours: nothing reaches you"
    ),
    HelpEntry("action", "action list @person", "What one person owes"),
    HelpEntry("action", "action list done [<KEY>]", "Items done, most recent first"),
    HelpEntry("action", "action list … page <n>", "The next page of any cut list"),
    HelpEntry(
        "action", "action done <id> <id> …", "Several at once (also reopen, cancel, snooze…)"
    ),
    HelpEntry("action", 'action edit <id> title|due|owner|notes "<value>"', "Change one field"),
    HelpEntry("action", 'action note <id> "<text>"', "Add a dated note (shown in lists and cards)"),
    HelpEntry("deliverable", "deliverable show <id>", "A deliverable with its slip history"),
    HelpEntry("leave", "leave cancel <id>", "End one leave period (`leave` lists their numbers)"),
    HelpEntry("project", "project list [all] page <n>", "The next page of a long register"),
)
HELP_ALIASES = {
    "me": "people",
    "whoami": "people",
    "report": "status",
    "settings": "admin",
    "ics": "meeting",
}

TOPICS = (
    "project",
    "action",
    "deliverable",
    "status",
    "minutes",
    "meeting",
    "raci",
    "depend",
    "doc",
    "leave",
    "digest",
    "admin",
    "dates",
    "raid",
    "risk",
    "issue",
    "assumption",
    "dependency",
    "decision",
    "people",
)
DATES_HELP = (
    f"Dates can be written as {DATE_EXAMPLES}. They are read in your own time zone; "
    "a bare weekday means the coming one (today if it is that day), "
    "'next tue' means Tuesday of next week, and 4/12 is read in your date order (`me dates`): "
    "4 December for DMY, 12 April for MDY. A date without a year is the nearest one. "
    "Due dates can't be in the past (mark finished work done instead), and no date may be "
    "more than five years away."
)


def entries_for(topic: str | None) -> list[HelpEntry]:
    """Help entries for a topic, or every entry."""
    if topic is None:
        return list(ENTRIES)
    return [e for e in ENTRIES if e.topic == topic]


def usage(topic: str, verb: str) -> str:
    """The usage line of `topic verb`, for error messages."""
    for e in ENTRIES:
        if e.topic == topic and e.usage.startswith(f"{topic} {verb}"):
            return e.usage
    return f"help {topic}"
