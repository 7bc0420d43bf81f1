"""Local mode shows the whole product: the real `pmo-bot` REPL in a pseudo-terminal runs the
same sweeps as `serve`, on a clock the newcomer moves forward, and `as` knows who exists."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

BIN = Path(sys.executable).parent / "pmo-bot"
PROMPT = "pat> "


def env_for(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    return {**env, "DATABASE_URL": db_url, "TERM": "dumb"}


@pytest.fixture
def repl(db_url: str, sessions) -> Iterator[pexpect.spawn]:  # type: ignore[no-untyped-def]
    """`pmo-bot demo` in a pseudo-terminal: the sample portfolio, then the console as @pat."""
    child = pexpect.spawn(
        str(BIN), ["demo"], env=env_for(db_url), encoding="utf-8", timeout=240,
        dimensions=(60, 240),
    )  # fmt: skip
    child.expect_exact("Sample portfolio ready")
    child.expect_exact("clock next thu 10:00")  # the demo tells the newcomer what to try
    child.expect_exact(PROMPT)
    yield child
    if child.isalive():
        child.sendline("quit")
        child.expect(pexpect.EOF)
    child.close()


def run(child: pexpect.spawn, line: str, prompt: str = PROMPT) -> str:
    """Type a line; everything printed until the next prompt."""
    child.sendline(line)
    child.expect_exact(prompt)
    return str(child.before)


def test_a_status_round_plays_out_on_the_local_clock(repl: pexpect.spawn) -> None:
    moved = run(repl, "clock next thu 10:00")
    # The round opens at 10:00 in each PM's zone: Pat (London) is nudged, in full.
    assert "To @pat:\r\nTime for ZEUS's weekly status update" in moved
    assert "Local clock: Thu" in moved and "10:00 (Europe/London)" in moved
    # Others' messages print in one line each, addressed to them, stamped with the time.
    assert "To @sofia: Time for ATLAS's weekly status update" in moved
    assert "── Thu" in moved

    done = run(repl, 'status ZEUS green "On track"')
    assert "Status recorded." in done

    later = run(repl, "clock +1d")
    # The late projects are chased (2 hours before their deadline, then at it) …
    assert "To @sofia: Reminder: ATLAS's status update is due in 2 hours" in later
    assert "To @maria: ⏰ Your status update for APOLLO is due now" in later
    # … nobody chases ZEUS, which reported …
    assert "ZEUS's status update is due" not in later
    # … and when the last round closes the PMO lead gets the portfolio report, in full.
    assert "# Portfolio status · " in later
    assert "| ZEUS | green |" in later and "| APOLLO | missing |" in later
    assert "Local clock: Fri" in later
    assert "Traceback" not in moved + later

    again = run(repl, "clock")  # the clock stays where it was moved (and keeps going)
    assert "Local clock: Fri" in again and "ahead of the real time" in again
    assert "only moves forward" in run(repl, "clock -1d")


def test_as_switches_only_to_known_people_and_suggests_the_nearest(repl: pexpect.spawn) -> None:
    typo = run(repl, "as mraia")
    assert "There is no one called @mraia here, so you are still @pat." in typo
    assert "Did you mean @maria?" in typo and "person add" in typo
    assert "@mraia" not in run(repl, "people")  # nobody was created by the typo
    switched = run(repl, "as maria", prompt="maria> ")
    assert "You are now @maria (Maria Lopez, America/New_York)." in switched
    added = run(repl, 'person add @tom2 "Tom Lee" tz:london', prompt="maria> ")
    assert "Only an admin or a PMO lead can add people." in added
    run(repl, "as pat")
    added = run(repl, 'person add @tlee "Tom Lee" tz:london')
    assert "Added @tlee (Tom Lee, Europe/London, Mon-Fri 09:00-17:30)." in added
    assert "You are now @tlee" in run(repl, "as tlee", prompt="tlee> ")


def test_the_guided_form_keeps_your_work_and_ctrl_c_cancels_only_the_form(
    repl: pexpect.spawn,
) -> None:
    repl.sendline("status ZEUS")
    repl.expect_exact("Overall status (green/amber/red): ")
    repl.sendline("purple")  # a bad answer: said why, and that field alone is asked again
    repl.expect_exact("purple is not one of the choices: green, amber, red.")
    repl.expect_exact("Overall status (green/amber/red): ")
    repl.sendline("GREEN")
    repl.expect_exact("Schedule (green/amber/red) [optional]: ")
    repl.sendline("skip")
    repl.expect_exact("Scope (green/amber/red) [optional]: ")
    repl.sendline("back")  # back to Schedule, which keeps nothing since it was skipped
    repl.expect_exact("Schedule (green/amber/red) [optional]: ")
    repl.sendline("amber")
    repl.expect_exact("Scope (green/amber/red) [optional]: ")
    repl.sendline("back")  # back again: the answer given is kept, in brackets
    repl.expect_exact("Schedule (green/amber/red) [optional] [amber]: ")
    repl.sendline("")
    repl.expect_exact("Scope (green/amber/red) [optional]: ")
    repl.sendcontrol("c")  # cancels the form, not the console
    repl.expect_exact("Cancelled; nothing was saved.")
    repl.expect_exact(PROMPT)
    assert "ZEUS has no status update yet." in run(repl, "status show ZEUS")

    repl.sendcontrol("c")  # at the prompt: the console stays
    repl.expect_exact("Ctrl-D or `quit` leaves the console.")
    repl.sendline("status ZEUS")
    answers = ["green", "amber", "", "", "", "150", "40", "On track", "", "", "n", "", ""]
    for answer in answers:
        repl.expect(r": $|\] $")
        repl.sendline(answer)
        if answer == "150":
            repl.expect_exact("% complete must be from 0 to 100.")
    repl.expect_exact("Status recorded.")
    repl.expect_exact(PROMPT)
    shown = run(repl, "status show ZEUS")
    assert "Green" in shown and "On track" in shown and "40%" in shown
