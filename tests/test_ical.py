"""iCalendar in and out (services.ical): imports from Google and Outlook, expansion across DST,
the feeds we publish, and the meeting command's repeat phrases. Pure: no database."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from services.core.errors import InvalidInput
from services.core.ical.expand import occurrences
from services.core.ical.model import FeedItem, MovedOccurrence, SeriesSpec
from services.core.ical.phrase import parse_recurrence
from services.core.ical.read import MAX_SERIES, parse_series
from services.core.ical.rules import next_start
from services.core.ical.write import feed, series_events

NY = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
WINDOW = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ics(text: str) -> bytes:
    """An export as apps write it: CRLF line endings."""
    return text.strip().replace("\n", "\r\n").encode() + b"\r\n"


def expand_file(data: bytes, start: datetime, end: datetime) -> list[tuple[str, datetime, str]]:
    """What a calendar app shows for a file: (uid, start in UTC, title), by start."""
    cal = Calendar.from_ical(data)
    found = []
    for ev in recurring_ical_events.of(cal).between(start, end):
        if isinstance(ev.start, datetime) and ev.get("STATUS") != "CANCELLED":  # apps hide those
            found.append((str(ev["UID"]), ev.start.astimezone(UTC), str(ev["SUMMARY"])))
    return sorted(found, key=lambda f: (f[1], f[0]))


def expand_specs(specs: list[SeriesSpec], start: datetime, end: datetime) -> list:
    return sorted(
        ((o.uid, o.start, o.title) for s in specs for o in occurrences(s, start, end)),
        key=lambda f: (f[1], f[0]),
    )


# --- series and occurrences ---------------------------------------------------------------------


def weekly_tuesday_ny(**changes: Any) -> SeriesSpec:
    spec = SeriesSpec(
        uid="sync@acme.pmo-bot",
        title="Apollo weekly sync",
        timezone="America/New_York",
        start=datetime(2026, 10, 6, 10, 0, tzinfo=NY),
        duration=timedelta(minutes=45),
        rrule="FREQ=WEEKLY;BYDAY=TU",
    )
    return replace(spec, **changes)


def test_weekly_new_york_meeting_keeps_10am_local_across_the_dst_change() -> None:
    found = occurrences(weekly_tuesday_ny(), utc(2026, 10, 1), utc(2026, 11, 20))
    assert [o.start for o in found] == [
        utc(2026, 10, 6, 14),
        utc(2026, 10, 13, 14),
        utc(2026, 10, 20, 14),
        utc(2026, 10, 27, 14),  # EDT until 1 Nov 2026
        utc(2026, 11, 3, 15),
        utc(2026, 11, 10, 15),
        utc(2026, 11, 17, 15),  # then EST
    ]
    assert all(o.end - o.start == timedelta(minutes=45) for o in found)
    assert all(o.original_start == o.start and o.title == "Apollo weekly sync" for o in found)
    assert all(o.start.tzinfo == UTC for o in found)


def test_cancelled_and_moved_occurrences_are_honoured() -> None:
    spec = weekly_tuesday_ny(
        exdates=(utc(2026, 10, 20, 14),),
        moved=(
            MovedOccurrence(utc(2026, 11, 3, 15), utc(2026, 11, 5, 19), utc(2026, 11, 5, 20)),
            MovedOccurrence(
                utc(2026, 11, 10, 15), utc(2026, 11, 10, 15), utc(2026, 11, 10, 16), "Retro"
            ),
        ),
    )
    found = occurrences(spec, utc(2026, 10, 15), utc(2026, 11, 12))
    assert [(o.original_start, o.start, o.end - o.start, o.title) for o in found] == [
        (utc(2026, 10, 27, 14), utc(2026, 10, 27, 14), timedelta(minutes=45), spec.title),
        (utc(2026, 11, 3, 15), utc(2026, 11, 5, 19), timedelta(hours=1), spec.title),
        (utc(2026, 11, 10, 15), utc(2026, 11, 10, 15), timedelta(hours=1), "Retro"),
    ]


def test_window_is_overlap_with_the_end_excluded() -> None:
    spec = weekly_tuesday_ny()  # 14:00-14:45 UTC on 6 Oct
    assert [o.start for o in occurrences(spec, utc(2026, 10, 6, 14, 30), utc(2026, 10, 7))]
    assert not occurrences(spec, utc(2026, 10, 6, 14, 45), utc(2026, 10, 13, 14))
    assert not occurrences(spec, utc(2026, 10, 13), utc(2026, 10, 6))
    with pytest.raises(ValueError, match="aware"):
        occurrences(spec, datetime(2026, 10, 1), datetime(2026, 11, 1))


def test_one_off_and_rule_with_until_in_local_date() -> None:
    one_off = SeriesSpec(
        uid="kickoff@x",
        title="Kick-off",
        timezone="Asia/Kolkata",
        start=datetime(2026, 11, 2, 9, 30, tzinfo=KOLKATA),
        duration=timedelta(hours=2),
    )
    assert [(o.start, o.end) for o in occurrences(one_off, *WINDOW)] == [
        (utc(2026, 11, 2, 4), utc(2026, 11, 2, 6))
    ]
    # A rule typed with a date-only UNTIL still ends on that local day (the feed writes it in UTC).
    until = weekly_tuesday_ny(rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20261020")
    assert [o.start.date() for o in occurrences(until, *WINDOW)] == [
        date(2026, 10, 6),
        date(2026, 10, 13),
        date(2026, 10, 20),
    ]


def test_series_events_are_what_calendar_apps_need() -> None:
    spec = weekly_tuesday_ny(
        exdates=(utc(2026, 10, 20, 14),),
        moved=(MovedOccurrence(utc(2026, 11, 3, 15), utc(2026, 11, 5, 19), utc(2026, 11, 5, 20)),),
        description="Agenda: https://x",
        location="Room 4",
        url="https://x/y",
        sequence=3,
    )
    master, moved = series_events(spec, stamp=NOW)
    text = master.to_ical().decode()
    assert "DTSTART;TZID=America/New_York:20261006T100000" in text
    assert "DTEND;TZID=America/New_York:20261006T104500" in text
    assert "RRULE:FREQ=WEEKLY;BYDAY=TU" in text
    assert "EXDATE;TZID=America/New_York:20261020T100000" in text
    assert "SEQUENCE:3" in text and "DTSTAMP:20261001T120000Z" in text
    assert "LOCATION:Room 4" in text and "URL:https://x/y" in text
    moved_text = moved.to_ical().decode()
    assert "RECURRENCE-ID;TZID=America/New_York:20261103T100000" in moved_text
    assert "DTSTART;TZID=America/New_York:20261105T140000" in moved_text
    assert str(moved["UID"]) == spec.uid


def test_bad_specs_are_refused_clearly() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        series_events(weekly_tuesday_ny(timezone="Mars/Olympus"))
    with pytest.raises(InvalidInput, match="repeat rule"):
        series_events(weekly_tuesday_ny(rrule="FREQ=WEEKLY;BYDAY=XX"))
    with pytest.raises(InvalidInput, match="more often than daily"):
        series_events(weekly_tuesday_ny(rrule="FREQ=MINUTELY"))


# --- the feed -----------------------------------------------------------------------------------

HOSTILE = [
    "Line one\nLine two\nBEGIN:VEVENT",
    "Commas, semicolons; and a backslash \\ and colon: too",
    "x" * 5000,
    "Emoji 🚀🔥 and ZWJ 👩‍💻 ok",
    "مراجعة المشروع — RTL עברית",
    "Quotes \"double\" and 'single' <b>html</b> & amp",
]


def feed_fixture() -> tuple[list[FeedItem], list[SeriesSpec]]:
    items = [
        FeedItem(
            uid=f"action-{i}@acme.pmo-bot",
            title=title,
            on=date(2026, 10, 10 + i),
            description=f"Owner: Ana\nProject: APOLLO; state: open, {i}",
            url="https://pmo.example/a/1",
            sequence=i,
            last_modified=datetime(2026, 9, 30, 8, 0, tzinfo=NY),
        )
        for i, title in enumerate(HOSTILE)
    ]
    items.append(
        FeedItem(
            uid="deliverable-7@acme.pmo-bot",
            title="Design doc",
            on=date(2026, 10, 31),
            done=True,
            sequence=2,
        )
    )
    series = [
        weekly_tuesday_ny(
            exdates=(utc(2026, 10, 20, 14),),
            moved=(
                MovedOccurrence(utc(2026, 11, 3, 15), utc(2026, 11, 5, 19), utc(2026, 11, 5, 20)),
            ),
            sequence=4,
        ),
        SeriesSpec(
            uid="standup@acme.pmo-bot",
            title="Bangalore stand-up ☕",
            timezone="Asia/Kolkata",
            start=datetime(2026, 10, 5, 9, 30, tzinfo=KOLKATA),
            duration=timedelta(minutes=15),
            rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=20",
        ),
    ]
    return items, series


def test_feed_round_trips_through_calendar_parsers() -> None:
    items, series = feed_fixture()
    data = feed("Apollo, PMO; deadlines", items=items, series=series, now=NOW)
    cal = Calendar.from_ical(data)
    assert str(cal["PRODID"]) == "-//PMO Bot//EN" and str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["X-WR-CALNAME"]) == "Apollo, PMO; deadlines"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data

    # What a calendar app shows is exactly our occurrences plus the items, with exact titles.
    shown = recurring_ical_events.of(cal).between(*WINDOW)
    timed = sorted(
        (str(e["UID"]), e.start.astimezone(UTC), e.end.astimezone(UTC), str(e["SUMMARY"]))
        for e in shown
        if isinstance(e.start, datetime)
    )
    ours = sorted((o.uid, o.start, o.end, o.title) for s in series for o in occurrences(s, *WINDOW))
    assert timed == ours and len(ours) == 20 + 20  # 20 Tuesdays left in the window - 1 + 1 moved
    assert (series[0].uid, utc(2026, 11, 5, 19), utc(2026, 11, 5, 20), series[0].title) in timed
    assert not [t for t in timed if t[1] == utc(2026, 10, 20, 14)]  # the cancelled one
    all_day = {
        str(e["UID"]): (e.start, str(e["SUMMARY"]))
        for e in shown
        if not isinstance(e.start, datetime)
    }
    assert all_day == {i.uid: (i.on, ("✓ " if i.done else "") + i.title) for i in items}

    events = cal.walk("VEVENT")
    assert all("UID" in e and "DTSTAMP" in e for e in events)
    assert all(e["DTSTAMP"].dt == NOW for e in events)
    for e in events:
        for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            if name in e and isinstance(e[name].dt, datetime):
                assert e[name].dt.tzinfo is not None, f"floating {name} in {e['UID']}"
    item_events = [e for e in events if str(e["UID"]).startswith(("action-", "deliverable-"))]
    assert all(e["DTEND"].dt - e["DTSTART"].dt == timedelta(days=1) for e in item_events)
    assert all(str(e["TRANSP"]) == "TRANSPARENT" for e in item_events)
    assert {str(e["UID"]): int(e["SEQUENCE"]) for e in item_events} == {
        i.uid: i.sequence for i in items
    }
    assert str(item_events[0]["DESCRIPTION"]) == items[0].description
    assert item_events[0]["LAST-MODIFIED"].dt == utc(2026, 9, 30, 12)
    master = next(e for e in events if str(e["UID"]) == series[0].uid and "RRULE" in e)
    assert int(master["SEQUENCE"]) == 4
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {"America/New_York", "Asia/Kolkata"}

    # On the wire: CRLF only, folded to 75 octets, and nothing floating in any DATE-TIME.
    lines = data.split(b"\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    unfolded = data.replace(b"\r\n ", b"").decode()
    in_event, checked = False, 0
    for line in unfolded.split("\r\n"):
        in_event = line == "BEGIN:VEVENT" or (in_event and line != "END:VEVENT")
        if in_event and re.match(r"(DTSTART|DTEND|RECURRENCE-ID|EXDATE)[;:]", line):
            checked += 1
            assert "TZID=" in line or "VALUE=DATE:" in line or line.endswith("Z"), line
    assert checked == 2 * len(events) + 2  # DTSTART, DTEND each; one RECURRENCE-ID; one EXDATE


def test_feed_is_stable_and_uids_do_not_change_between_renders() -> None:
    items, series = feed_fixture()
    first = feed("Apollo", items=items, series=series, now=NOW)
    later = feed("Apollo", items=items, series=series, now=NOW + timedelta(hours=3))
    uids = [str(e["UID"]) for e in Calendar.from_ical(first).walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in Calendar.from_ical(later).walk("VEVENT")]
    assert len(set(uids)) == len(items) + len(series)  # plus the moved one, sharing its UID
    assert first == feed("Apollo", items=items, series=series, now=NOW)  # byte-identical


def test_feed_strips_control_characters_and_cannot_be_injected() -> None:
    item = FeedItem(
        uid="action-1@x",
        title="a\r\nEND:VEVENT\r\nBEGIN:VEVENT\x00\x07 b",
        on=date(2026, 10, 9),
        url="https://x/y z\r\nX-EVIL:1",
    )
    cal = Calendar.from_ical(feed("x", items=[item], series=[], now=NOW))
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "a\nEND:VEVENT\nBEGIN:VEVENT b"
    assert "X-EVIL" not in event and str(event["URL"]) == "https://x/y%20z%0D%0AX-EVIL:1"


def test_done_items_are_ticked_once() -> None:
    items = [
        FeedItem(uid="a@x", title="Ship it", on=date(2026, 10, 9), done=True),
        FeedItem(uid="b@x", title="✓ Already ticked", on=date(2026, 10, 9), done=True),
        FeedItem(uid="c@x", title="Still open", on=date(2026, 10, 9)),
    ]
    events = Calendar.from_ical(feed("x", items=items, series=[], now=NOW)).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["✓ Ship it", "✓ Already ticked", "Still open"]


def test_feed_keeps_one_entry_per_uid_and_needs_aware_now() -> None:
    a = FeedItem(uid="same@x", title="first", on=date(2026, 10, 9))
    b = FeedItem(uid="same@x", title="second", on=date(2026, 10, 10))
    events = Calendar.from_ical(feed("x", items=[a, b], series=[], now=NOW)).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["first"]
    with pytest.raises(ValueError, match="aware"):
        feed("x", items=[a], series=[], now=datetime(2026, 10, 1))


# --- importing exports --------------------------------------------------------------------------

GOOGLE = ics("""
BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Apollo project
X-WR-TIMEZONE:America/New_York
BEGIN:VTIMEZONE
TZID:America/New_York
X-LIC-LOCATION:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
DTSTART;TZID=America/New_York:20261013T100000
DTEND;TZID=America/New_York:20261013T110000
RRULE:FREQ=WEEKLY;WKST=SU;UNTIL=20261201T045959Z;BYDAY=TU
EXDATE;TZID=America/New_York:20261027T100000
DTSTAMP:20261001T120000Z
UID:5k2j3h4g5f6d7s8a9q0w1e2r3t@google.com
CREATED:20261001T115900Z
DESCRIPTION:Agenda in the doc\\, please add items\\nhttps://docs.example/apollo
LAST-MODIFIED:20261002T090000Z
LOCATION:Room 4
SEQUENCE:1
STATUS:CONFIRMED
SUMMARY:Apollo weekly sync
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=America/New_York:20261112T150000
DTEND;TZID=America/New_York:20261112T160000
DTSTAMP:20261001T120000Z
UID:5k2j3h4g5f6d7s8a9q0w1e2r3t@google.com
RECURRENCE-ID;TZID=America/New_York:20261110T100000
CREATED:20261001T115900Z
LAST-MODIFIED:20261005T090000Z
SEQUENCE:2
STATUS:CONFIRMED
SUMMARY:Apollo weekly sync
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART:20261029T091500
DTEND:20261029T093000
RRULE:FREQ=WEEKLY;COUNT=5;BYDAY=MO,TU,WE,TH,FR
DTSTAMP:20261001T120000Z
UID:standup-7f3a@google.com
SUMMARY:Stand-up
END:VEVENT
BEGIN:VEVENT
DTSTART:20261103T180000Z
DTEND:20261103T190000Z
DTSTAMP:20261001T120000Z
UID:kickoff-19c2@google.com
SUMMARY:Kick-off
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20261126
DTEND;VALUE=DATE:20261127
DTSTAMP:20261001T120000Z
UID:thanksgiving@google.com
SUMMARY:Thanksgiving
END:VEVENT
END:VCALENDAR
""")
SYNC_UID = "5k2j3h4g5f6d7s8a9q0w1e2r3t@google.com"


def test_google_export_gives_exactly_the_meetings_across_dst() -> None:
    specs = parse_series(GOOGLE, default_timezone="Europe/London")
    assert [s.uid for s in specs] == [
        SYNC_UID,
        "standup-7f3a@google.com",
        "kickoff-19c2@google.com",
    ]
    sync, standup, kickoff = specs
    assert (sync.timezone, sync.start, sync.duration) == (
        "America/New_York",
        datetime(2026, 10, 13, 10, tzinfo=NY),
        timedelta(hours=1),
    )
    assert sync.rrule == "FREQ=WEEKLY;UNTIL=20261201T045959Z;BYDAY=TU;WKST=SU"
    assert sync.exdates == (utc(2026, 10, 27, 14),)
    assert sync.moved == (
        MovedOccurrence(utc(2026, 11, 10, 15), utc(2026, 11, 12, 20), utc(2026, 11, 12, 21)),
    )
    assert sync.description == "Agenda in the doc, please add items\nhttps://docs.example/apollo"
    assert (sync.location, sync.sequence) == ("Room 4", 1)
    # Floating times are read in X-WR-TIMEZONE, not in the uploader's zone.
    assert standup.timezone == "America/New_York" and standup.start.utcoffset() == timedelta(
        hours=-4
    )
    # Google writes one-offs in UTC; the instant is kept.
    assert kickoff.start == utc(2026, 11, 3, 18) and kickoff.rrule is None

    window = (utc(2026, 10, 1), utc(2027, 1, 1))
    assert [(o.original_start, o.start) for o in occurrences(sync, *window)] == [
        (utc(2026, 10, 13, 14), utc(2026, 10, 13, 14)),
        (utc(2026, 10, 20, 14), utc(2026, 10, 20, 14)),
        (utc(2026, 11, 3, 15), utc(2026, 11, 3, 15)),  # 10:00 EST after 1 Nov
        (utc(2026, 11, 10, 15), utc(2026, 11, 12, 20)),  # moved to Thursday 15:00
        (utc(2026, 11, 17, 15), utc(2026, 11, 17, 15)),
        (utc(2026, 11, 24, 15), utc(2026, 11, 24, 15)),
    ]
    assert [o.start for o in occurrences(standup, *window)] == [
        utc(2026, 10, 29, 13, 15),
        utc(2026, 10, 30, 13, 15),
        utc(2026, 11, 2, 14, 15),
        utc(2026, 11, 3, 14, 15),
        utc(2026, 11, 4, 14, 15),
    ]
    # And it is what a calendar app makes of the original file.
    assert expand_specs(specs, *window) == expand_file(GOOGLE, *window)


OUTLOOK = ics("""
BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
X-MS-OLK-FORCEINSPECTOROPEN:TRUE
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Customized Time Zone
BEGIN:STANDARD
DTSTART:16011104T020000
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010311T020000
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
CLASS:PUBLIC
CREATED:20260915T101010Z
DESCRIPTION:Quarterly steering\\, see deck\\n
DTEND;TZID="W. Europe Standard Time":20261007T103000
DTSTAMP:20260915T101010Z
DTSTART;TZID="W. Europe Standard Time":20261007T093000
LAST-MODIFIED:20260915T101010Z
LOCATION:Microsoft Teams Meeting
PRIORITY:5
RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=WE
SEQUENCE:0
SUMMARY;LANGUAGE=en-us:Steering committee
TRANSP:OPAQUE
UID:040000008200E00074C5B7101A82E00800000000D0B3F1B2C3D4DB01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8F90
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
X-MICROSOFT-CDO-IMPORTANCE:1
END:VEVENT
BEGIN:VEVENT
DTEND;TZID="W. Europe Standard Time":20261021T103000
DTSTAMP:20260915T101010Z
DTSTART;TZID="W. Europe Standard Time":20261021T093000
RECURRENCE-ID;TZID="W. Europe Standard Time":20261021T093000
SEQUENCE:1
STATUS:CANCELLED
SUMMARY;LANGUAGE=en-us:Canceled: Steering committee
UID:040000008200E00074C5B7101A82E00800000000D0B3F1B2C3D4DB01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8F90
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID="Customized Time Zone":20261102T090000
DTEND;TZID="Customized Time Zone":20261102T093000
DTSTAMP:20260915T101010Z
SUMMARY:Vendor call
UID:vendor-call-1
END:VEVENT
END:VCALENDAR
""")
OUTLOOK_UID = "040000008200E00074C5B7101A82E00800000000D0B3F1B2C3D4DB01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8F90"


def test_outlook_export_with_windows_zone_and_cancelled_occurrence() -> None:
    steering, vendor = parse_series(OUTLOOK, default_timezone="Asia/Tokyo")
    assert steering.uid == OUTLOOK_UID and steering.title == "Steering committee"
    assert steering.timezone == "Europe/Berlin"  # the IANA name of "W. Europe Standard Time"
    assert steering.exdates == (utc(2026, 10, 21, 7, 30),) and steering.moved == ()
    assert steering.description == "Quarterly steering, see deck"
    # CEST until 25 Oct, CET after; the cancelled one still counts towards COUNT=6.
    assert [o.start for o in occurrences(steering, *WINDOW)] == [
        utc(2026, 10, 7, 7, 30),
        utc(2026, 10, 14, 7, 30),
        utc(2026, 10, 28, 8, 30),
        utc(2026, 11, 4, 8, 30),
        utc(2026, 11, 11, 8, 30),
    ]
    # "Customized Time Zone" (US Eastern rules) becomes a real zone with the same clock changes.
    assert vendor.timezone == "America/New_York"
    assert vendor.start == utc(2026, 11, 2, 14) and vendor.duration == timedelta(minutes=30)
    assert expand_specs([steering, vendor], *WINDOW) == expand_file(OUTLOOK, *WINDOW)


def event_file(*lines: str, extra: str = "") -> bytes:
    body = "\n".join(lines)
    return ics(
        f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n{extra}BEGIN:VEVENT\n{body}\nEND:VEVENT\nEND:VCALENDAR"
    )


def test_exdates_in_several_lines_comma_lists_utc_and_dates() -> None:
    data = event_file(
        "UID:x@y",
        "SUMMARY:Daily",
        "DTSTART;TZID=Europe/Paris:20261026T090000",
        "DURATION:PT30M",
        "RRULE:FREQ=DAILY;COUNT=8",
        "EXDATE;TZID=Europe/Paris:20261027T090000,20261028T090000",
        "EXDATE:20261029T080000Z",
        "EXDATE;VALUE=DATE:20261030",
    )
    (spec,) = parse_series(data)
    assert spec.duration == timedelta(minutes=30)
    assert spec.exdates == (
        utc(2026, 10, 27, 8),
        utc(2026, 10, 28, 8),
        utc(2026, 10, 29, 8),
        utc(2026, 10, 30, 8),
    )
    assert [o.start.day for o in occurrences(spec, *WINDOW)] == [26, 31, 1, 2]


def test_floating_times_without_x_wr_timezone_use_the_default_zone() -> None:
    data = event_file(
        "UID:f@y", "SUMMARY:Review", "DTSTART:20261105T140000", "DTEND:20261105T150000"
    )
    (spec,) = parse_series(data, default_timezone="Asia/Kolkata")
    assert spec.timezone == "Asia/Kolkata" and spec.start == utc(2026, 11, 5, 8, 30)
    (utc_spec,) = parse_series(data)
    assert utc_spec.start == utc(2026, 11, 5, 14)


def test_event_without_uid_gets_a_stable_one_and_vendor_tzid_is_understood() -> None:
    data = event_file(
        "SUMMARY:No uid",
        "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20261105T140000",
    )
    (first,) = parse_series(data)
    (again,) = parse_series(data)
    assert first.uid == again.uid and first.uid.endswith("@import.pmo-bot")
    # No DTEND and no DURATION: RFC 5545 3.6.1 says it ends where it starts.
    assert first.timezone == "Europe/Berlin" and first.duration == timedelta(0)


def test_override_without_its_master_is_a_one_off_and_cancelled_masters_are_dropped() -> None:
    data = ics("""
BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:invite@x
RECURRENCE-ID:20261110T150000Z
DTSTART:20261111T150000Z
DTEND:20261111T160000Z
SUMMARY:Just this one
END:VEVENT
BEGIN:VEVENT
UID:gone@x
STATUS:CANCELLED
DTSTART:20261111T150000Z
RRULE:FREQ=DAILY
SUMMARY:Cancelled series
END:VEVENT
END:VCALENDAR
""")
    (spec,) = parse_series(data)
    assert (spec.uid, spec.title, spec.start, spec.rrule) == (
        "invite@x",
        "Just this one",
        utc(2026, 11, 11, 15),
        None,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\xff\xfe\x89PNG garbage \x01\x02", "not an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n\x00\x01 junk\r\n", "damaged"),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "web page"),
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (ics("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nEND:VCALENDAR"), "no events"),
        (ics("BEGIN:VEVENT\nUID:a\nDTSTART:20261010T100000Z\nEND:VEVENT"), "BEGIN:VCALENDAR"),
        (event_file("UID:a", "DTSTART;VALUE=DATE:20261010", "SUMMARY:Holiday"), "only all-day"),
        (
            event_file("UID:a", "SUMMARY:Sync", "DTSTART:20261010T100000Z", "RRULE:FREQ=SOMETIMES"),
            "repeat rule I can't read",
        ),
        (
            event_file(
                "UID:a",
                "SUMMARY:Sync",
                "DTSTART:20261010T100000Z",
                "RRULE:FREQ=WEEKLY;BYDAY=TU;INTERVAL=x",
            ),
            "repeat rule",
        ),
        (
            event_file("UID:a", "SUMMARY:Sync", "DTSTART:20261010T100000Z", "RRULE:FREQ=MINUTELY"),
            "more often than daily",
        ),
        (
            event_file(
                "UID:a",
                "SUMMARY:Sync",
                "DTSTART:20261010T100000Z",
                "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            ),
            "never happens",
        ),
        (
            event_file("UID:a", "SUMMARY:Sync", "DTSTART:2026-10-10 10:00"),
            "'Sync' has a DTSTART I can't read",
        ),
        (
            event_file(
                "UID:a", "SUMMARY:Sync", "DTSTART:20261010T100000Z", "DTEND:20261010T090000Z"
            ),
            "ends before it starts",
        ),
        (
            b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"x" * 2_100_000 + b"\r\nEND:VCALENDAR\r\n",
            "too large",
        ),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_series(data)
    assert message in caught.value.message
    assert caught.value.hint or "Sync" in caught.value.message


def test_too_many_series_are_refused() -> None:
    events = "".join(
        f"BEGIN:VEVENT\nUID:e{i}\nDTSTART:20261010T100000Z\nSUMMARY:M{i}\nEND:VEVENT\n"
        for i in range(MAX_SERIES + 1)
    )
    with pytest.raises(InvalidInput, match="at most 500"):
        parse_series(ics(f"BEGIN:VCALENDAR\nVERSION:2.0\n{events}END:VCALENDAR"))


def test_import_then_publish_shows_the_same_meetings() -> None:
    specs = parse_series(GOOGLE)
    data = feed("Apollo", items=[], series=specs, now=NOW)
    window = (utc(2026, 10, 1), utc(2027, 1, 1))
    assert expand_file(data, *window) == expand_file(GOOGLE, *window)


def test_our_own_feed_imports_back_to_the_same_series() -> None:
    items, series = feed_fixture()
    hostile = replace(series[0], title=HOSTILE[0] + HOSTILE[1], description=HOSTILE[4])
    data = feed("x", items=items, series=[hostile, series[1]], now=NOW)
    standup, sync = parse_series(data)  # by start: 5 Oct in Bangalore, then 6 Oct
    assert [(s.uid, s.title, s.timezone, s.rrule) for s in (sync, standup)] == [
        (hostile.uid, hostile.title, "America/New_York", "FREQ=WEEKLY;BYDAY=TU"),
        (series[1].uid, series[1].title, "Asia/Kolkata", "FREQ=WEEKLY;COUNT=20;BYDAY=MO,WE,FR"),
    ]
    assert sync.start == hostile.start and sync.duration == hostile.duration
    assert (sync.exdates, sync.moved) == (hostile.exdates, hostile.moved)
    assert sync.description == hostile.description and sync.sequence == 4


# --- the meeting command's repeat phrase --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "at"),
    [
        ("weekly on tue 10:00", "FREQ=WEEKLY;BYDAY=TU", time(10)),
        ("every tuesday at 10am", "FREQ=WEEKLY;BYDAY=TU", time(10)),
        ("Every Tuesday at 10 AM", "FREQ=WEEKLY;BYDAY=TU", time(10)),
        ("every mon, thu 14:30", "FREQ=WEEKLY;BYDAY=MO,TH", time(14, 30)),
        ("every thu & mon at 2:30pm", "FREQ=WEEKLY;BYDAY=MO,TH", time(14, 30)),
        ("daily 9:15", "FREQ=DAILY", time(9, 15)),
        ("every day at 9", "FREQ=DAILY", time(9)),
        ("weekdays at 9:00", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(9)),
        ("every mon-fri 8.30", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(8, 30)),
        ("biweekly on wed 15:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", time(15)),
        ("every 2 weeks on fri 11:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", time(11)),
        ("every other fri 11:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", time(11)),
        ("monthly on the first monday 10:00", "FREQ=MONTHLY;BYDAY=1MO", time(10)),
        ("monthly on the last fri 16:00", "FREQ=MONTHLY;BYDAY=-1FR", time(16)),
        ("monthly on the 2nd and 4th tue 9:30", "FREQ=MONTHLY;BYDAY=2TU,4TU", time(9, 30)),
        ("monthly on the 15th 9:00", "FREQ=MONTHLY;BYMONTHDAY=15", time(9)),
        ("FREQ=WEEKLY;BYDAY=TU 10:00", "FREQ=WEEKLY;BYDAY=TU", time(10)),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO,TH at 9am", "FREQ=WEEKLY;BYDAY=MO,TH", time(9)),
        ("FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=30", "FREQ=WEEKLY;BYDAY=TU", time(10, 30)),
        ("freq=monthly;byday=1mo;count=6 10:00", "FREQ=MONTHLY;COUNT=6;BYDAY=1MO", time(10)),
    ],
)
def test_repeat_phrases(text: str, rule: str, at: time) -> None:
    assert parse_recurrence(text) == (rule, at)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("every hour", "more often than once a day"),
        ("every 15 minutes at 9:00", "more often than once a day"),
        ("FREQ=HOURLY 10:00", "more often than once a day"),
        ("FREQ=DAILY;BYHOUR=9,15", "more often than once a day"),
        ("weekly on tue", "no time of day"),
        ("FREQ=WEEKLY;BYDAY=TU", "no time of day"),
        ("weekly 10:00", "which day"),
        ("monthly 10:00", "which day of the month"),
        ("every funday 10:00", "couldn't read"),
        ("sometimes 10:00", "couldn't read"),
        ("FREQ=WEEKLY;BYDAY=XX 10:00", "couldn't read"),
        ("FREQ=WEEKLY;BYDAY=TU;BYHOUR=9 10:00", "rule says 09:00"),
        ("", "How often"),
    ],
)
def test_repeat_phrases_refused_with_examples(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_recurrence(text)
    assert message in caught.value.message
    assert "weekly" in (caught.value.hint or "").lower()  # an example of what works


def test_next_start_turns_a_phrase_into_the_first_meeting() -> None:
    rule, at = parse_recurrence("monthly on the first monday 10:00")
    first = next_start(rule, at, timezone="America/New_York", after=utc(2026, 10, 10))
    assert first == utc(2026, 11, 2, 15)  # Monday 2 Nov, 10:00 EST
    spec = SeriesSpec(
        uid="m@x",
        title="Monthly",
        timezone="America/New_York",
        start=first,
        duration=timedelta(hours=1),
        rrule=rule,
    )
    assert [o.start for o in occurrences(spec, first, utc(2027, 1, 1))] == [
        utc(2026, 11, 2, 15),
        utc(2026, 12, 7, 15),
    ]


def _custom_zone_file(offset: str, uid: str) -> bytes:
    return ics(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\n"
        "BEGIN:VTIMEZONE\nTZID:Customized Time Zone\nBEGIN:STANDARD\nDTSTART:16010101T000000\n"
        f"TZOFFSETFROM:{offset}\nTZOFFSETTO:{offset}\nEND:STANDARD\nEND:VTIMEZONE\n"
        f'BEGIN:VEVENT\nUID:{uid}\nSUMMARY:Call\nDTSTART;TZID="Customized Time Zone":20261102T090000\n'
        'DTEND;TZID="Customized Time Zone":20261102T093000\nDTSTAMP:20260915T101010Z\n'
        "END:VEVENT\nEND:VCALENDAR"
    )


def test_a_zone_one_file_defines_never_leaks_into_the_next_file() -> None:
    """icalendar caches custom zones by name for the whole process; every upload reads with a
    fresh cache, so two files that both define "Customized Time Zone" each get their own."""
    from services.core.ical.read import read_calendars

    for offset, hours in (("-0500", 14), ("+0900", 0), ("-0500", 14)):
        (cal,) = read_calendars(_custom_zone_file(offset, f"call-{offset}"))
        (event,) = cal.walk("VEVENT")
        start = event["DTSTART"].dt
        assert start.astimezone(UTC).hour == hours, (offset, start)
