"""Pages of a long list in Block Kit: the header says which rows these are, and a cut list
ends with the command for the next page and a More button that runs it. Pure."""

from __future__ import annotations

from typing import Any

from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    Block,
    actions,
    button,
    command,
    context,
    header,
    list_with_overflow,
)
from handlers.slack.ids import ActionId, BlockId
from services.core.views import Page


def more_button(rest: str, more: int) -> list[Block]:
    """'… and N more' with a More button that runs the next page's command."""
    if not rest:
        return [context(f"… and {more} more.")] if more else []
    return [
        context(f"… and {more} more. Next page: {command(rest)}"),
        actions(BlockId.LIST_MORE, [button("More", ActionId.LIST_MORE, rest)]),
    ]


def paged_blocks(rows: list[list[Block]], head: str, page: Page[Any], rest: str) -> list[Block]:
    """A page of a list, within Slack's 50 blocks, ending with how to see the rest."""
    shown = (
        f"{head} ({page.offset + 1}-{page.offset + len(page.items)} of {page.total})"
        if page.offset or page.more
        else f"{head} ({page.total})"
    )
    blocks = list_with_overflow(rows, [header(shown)], len(rows), MESSAGE_BLOCKS - 2)
    return blocks + more_button(rest, page.more)
