"""Run code as if one workspace were alone in the database.

A sweep step normally plans every workspace at once (a few set-based queries). When it fails,
the scheduler runs it again once per workspace inside `only_workspace`, so one workspace's bad
row can only hold back that workspace: every ORM query in the session (selects, lazy loads,
ORM-enabled updates and deletes) gets `workspace_id = :id` added for every model that has the
column, and `workspace.id = :id` for the workspace itself. Rows without the column (minutes
entries, document approvers) are reached only through a parent that has it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from models import Base, Workspace


def _scoped_models() -> list[type[Any]]:
    return [
        m.class_
        for m in Base.registry.mappers
        if "workspace_id" in m.columns and m.class_ is not Workspace
    ]


def _criteria(workspace_id: int) -> list[Any]:
    options = [
        with_loader_criteria(model, model.workspace_id == workspace_id, include_aliases=True)
        for model in _scoped_models()
    ]
    options.append(
        with_loader_criteria(Workspace, Workspace.id == workspace_id, include_aliases=True)
    )
    return options


@contextmanager
def only_workspace(session: Session, workspace_id: int) -> Iterator[None]:
    """Within the block, `session` sees and changes only `workspace_id`'s rows."""
    options = _criteria(workspace_id)

    def scope(state: ORMExecuteState) -> None:
        if state.is_select or state.is_update or state.is_delete:
            state.statement = state.statement.options(*options)

    event.listen(session, "do_orm_execute", scope)
    try:
        yield
    finally:
        event.remove(session, "do_orm_execute", scope)
