"""The App Home tab: my open items (overdue first), my projects, deliverables due soon. Pure."""

from __future__ import annotations

from typing import Any

from handlers.slack.blocks import (
    VIEW_BLOCKS,
    Block,
    actions,
    button,
    header,
    list_with_overflow,
    section,
)
from handlers.slack.ids import ActionId, BlockId
from handlers.slack.projects.render import project_text
from handlers.slack.raid.render import entry_blocks
from handlers.slack.work.render import deliverable_text, item_blocks
from services.workspace.home import HomeData

ITEM_BUDGET = 50  # blocks for items, so the projects, reviews and deliverables still fit
REVIEW_BUDGET = 66
PROJECT_BUDGET = 85


def home_view(data: HomeData) -> dict[str, Any]:
    """The whole Home tab for one person."""
    today = data.today
    blocks: list[Block] = [
        header("Your PMO"),
        actions(
            BlockId.HOME_ACTIONS,
            [
                button("New action item", ActionId.OPEN_NEW_ITEM, style="primary"),
                button("New project", ActionId.OPEN_NEW_PROJECT),
            ],
        ),
        header(f"Your open action items ({data.items.total})"),
    ]
    if not data.items.items:
        blocks.append(section("Nothing open. 🎉"))
    item_rows = [item_blocks(i, today) for i in data.items.items]
    blocks = list_with_overflow(item_rows, blocks, data.items.total, ITEM_BUDGET)
    if data.reviews:  # RAID entries whose review or date comes within the week
        blocks.append(header(f"Your RAID reviews due ({len(data.reviews)})"))
        review_rows = [entry_blocks(v, today) for v in data.reviews]
        blocks = list_with_overflow(review_rows, blocks, len(data.reviews), REVIEW_BUDGET)
    blocks.append({"type": "divider"})
    blocks.append(header("Your projects"))
    if not data.projects:
        blocks.append(section("You are not in any project yet."))
    project_rows = [[section(project_text(p, today))] for p in data.projects]
    blocks = list_with_overflow(project_rows, blocks, len(data.projects), PROJECT_BUDGET)
    blocks.append(header("Deliverables due in the next 14 days"))
    if not data.deliverables:
        blocks.append(section("None due."))
    rows = [[section(deliverable_text(d, today))] for d in data.deliverables]
    blocks = list_with_overflow(rows, blocks, len(data.deliverables), VIEW_BLOCKS)
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS]}
