"""Layering rules that keep the domain channel-agnostic."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "microsoft_agents", "botbuilder", "microsoft_teams")
RULES = {
    "services": (*PLATFORM_SDKS, "handlers", "bot"),
    "models": (*PLATFORM_SDKS, "handlers", "bot", "services"),
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_does_not_import_forbidden_packages(layer: str) -> None:
    files = sorted((ROOT / layer).rglob("*.py"))
    assert files, f"no files found under {layer}/"
    bad = [
        f"{f.relative_to(ROOT)} imports {name}"
        for f in files
        for name in imports(f)
        if name.split(".")[0] in RULES[layer]
    ]
    assert bad == []


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from slack_sdk import WebClient\nimport os\n")
    assert "slack_sdk" in imports(probe)
