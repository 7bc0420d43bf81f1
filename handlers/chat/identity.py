"""Who is acting: the cache policy every channel shares.

A channel resolves its platform's (team, user) pair to our (workspace, person) ids at first
sight; the answer is kept in memory for a few minutes, so a busy person's clicks need no
database round trip to find out who they are, while profile changes still come through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

TTL_SECONDS = 600


@dataclass(frozen=True)
class Known:
    workspace_id: int
    person_id: int


@dataclass
class IdentityCache:
    """(platform team, platform user) → (workspace id, person id), kept for `ttl` seconds."""

    ttl: float = TTL_SECONDS
    _entries: dict[tuple[str, str], tuple[Known, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, team: str, user: str, *, now: float, load: Callable[[], Known]) -> Known:
        """The ids for this pair: cached, or loaded (and kept) when stale or unknown."""
        with self._lock:
            hit = self._entries.get((team, user))
        if hit is not None and hit[1] > now:
            return hit[0]
        known = load()
        with self._lock:
            self._entries[(team, user)] = (known, now + self.ttl)
        return known
