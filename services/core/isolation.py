"""One bad row never stops a sweep: the rows a sweep step plans are built one by one, and one
that fails is left out of this sweep (logged with its id and workspace, counted in the sweep's
report) while the rest goes out; the next sweep tries it again.

The scheduler opens a `collecting` block around each sweep; `each` and `skip` add to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

log = logging.getLogger("sweep")
T = TypeVar("T")
R = TypeVar("R")

_problems: ContextVar[list[str] | None] = ContextVar("sweep_problems", default=None)


@contextmanager
def collecting(problems: list[str]) -> Iterator[list[str]]:
    """Within the block, rows skipped by `each` / `skip` are added to `problems`."""
    token = _problems.set(problems)
    try:
        yield problems
    finally:
        _problems.reset(token)


def skip(step: str, what: str, workspace_id: int | None, exc: BaseException) -> None:
    """Leave `what` out of this sweep, saying why (log and the current sweep's report)."""
    where = f" (workspace {workspace_id})" if workspace_id is not None else ""
    log.warning(
        "%s: %s%s skipped: %s: %s",
        step,
        what,
        where,
        type(exc).__name__,
        exc,
        exc_info=exc,
    )
    problems = _problems.get()
    if problems is not None:
        problems.append(f"{step}: {what}{where} skipped: {type(exc).__name__}: {exc}")


def each(
    step: str,
    items: Iterable[T],
    build: Callable[[T], R],
    name: Callable[[T], tuple[str, int | None]],
) -> list[R]:
    """`build(x)` for every x; one that raises is skipped (see `skip`), the others kept.

    `name(x)` gives what x is (`"person 12"`) and its workspace id, for the log. `build` must
    not write to the database: what it returns is written by the caller, all at once.
    """
    out: list[R] = []
    for x in items:
        try:
            out.append(build(x))
        except Exception as exc:  # isolation is the point: skipped, logged, counted
            what, ws = name(x)
            skip(step, what, ws, exc)
    return out
