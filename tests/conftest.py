"""Test fixtures: every database test runs on SQLite and on PostgreSQL, migrated by Alembic."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_sessionmaker, upgrade
from models import Base, Person, Platform
from services.core import people
from services.core.access import Actor, actor_for

PG_URL = os.environ.get(
    "PMO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = (
    os.environ.get("CI", "").lower() == "true" or os.environ.get("PMO_REQUIRE_POSTGRES") == "1"
)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday


def _pg_reachable() -> str | None:
    engine = make_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return None
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        engine.dispose()


def new_database_url(kind: str, tmp: Path) -> tuple[str, Callable[[], None]]:
    """A fresh, empty database of `kind`; returns its URL and a function that drops it."""
    if kind == "sqlite":
        path = tmp / f"pmo-{uuid.uuid4().hex[:8]}.sqlite3"
        return f"sqlite:///{path}", lambda: None
    problem = _pg_reachable()
    if problem:
        msg = f"PostgreSQL at {PG_URL} is unreachable: {problem}"
        if REQUIRE_PG:
            pytest.fail(msg + " (CI requires PostgreSQL)")
        pytest.skip(msg)
    schema = f"pmo_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"

    def drop() -> None:
        eng = make_engine(PG_URL)
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        eng.dispose()

    return url, drop


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database URL, one per engine kind for the whole run."""
    url, drop = new_database_url(request.param, tmp_path_factory.mktemp("db"))
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    drop()


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def _wipe(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on a database that is emptied after the test."""
    yield make_sessionmaker(engine)
    _wipe(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    s = sessions()
    yield s
    s.rollback()
    s.close()


class World:
    """A workspace with people in it, built through the real services."""

    def __init__(
        self,
        session: Session,
        platform: Platform = Platform.CONSOLE,
        ext: str = "W1",
        *,
        digests: bool = True,
        rounds: bool | None = None,
    ):
        """`digests=False`: no digests and no status rounds, for tests that count reminders
        alone; `rounds=False`: no status rounds."""
        self.session = session
        self.ws = people.ensure_workspace(
            session, platform=platform, external_id=ext, name=f"Workspace {ext}", now=NOW
        )
        self.digests = digests
        if not digests:
            self.ws.settings = {"digests": {"project_weekly": False, "pmo_weekly": False}}
        if rounds is False or (rounds is None and not digests):
            self.ws.settings = {**(self.ws.settings or {}), "status": {"rounds": False}}
        self.people: dict[str, Person] = {}

    def person(self, handle: str, tz: str = "UTC") -> Person:
        if handle not in self.people:
            self.people[handle] = people.upsert_person(
                self.session,
                workspace_id=self.ws.id,
                external_id=handle,
                handle=handle,
                display_name=handle.title(),
                timezone=tz,
                now=NOW,
            )
            self.people[handle].digest_enabled = self.digests
        return self.people[handle]

    def actor(self, handle: str) -> Actor:
        return actor_for(self.session, self.person(handle))


@pytest.fixture
def world(session: Session) -> World:
    """Workspace W1 whose first person, @lead, is its admin and PMO lead."""
    w = World(session)
    w.person("lead")
    return w
