"""Layering rules that keep the domain channel-agnostic and the modules small and acyclic.

The rules are the ones in docs/architecture.md: arrows point down only (bot → handlers →
services → models), handlers never import bot, services/core imports no feature package,
the outbox port names no feature, no import cycle between modules, nobody imports another
module's private names, no module over 400 lines, and no Slack markup or `/pmo` text in
services/ (channel references, mentions and command hints are structured values there).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("bot", "handlers", "services", "models")
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "microsoft_agents", "botbuilder", "microsoft_teams")
RULES = {
    "services": (*PLATFORM_SDKS, "handlers", "bot"),
    "models": (*PLATFORM_SDKS, "handlers", "bot", "services"),
    "handlers": ("bot",),
}
MAX_LINES = 400
SLACK_MARKUP = re.compile(r"<[#@!][A-Za-z]|/pmo\b")


def source_files(*layers: str) -> list[Path]:
    """Every Python file of the given top-level packages."""
    return sorted(p for layer in layers for p in (ROOT / layer).rglob("*.py"))


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level and TYPE_CHECKING too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports (packages' empty __init__ left out)."""
    modules = {module_name(p): p for p in source_files(*LAYERS)}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {m for m in imports(path) if m in modules and m != name}
        # `from services.work import action_items` names the module, not the package.
        graph[name] = {
            t
            for t in targets
            if not (modules[t].name == "__init__" and any(o.startswith(t + ".") for o in targets))
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def private_imports(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            for a in node.names:
                if a.name.startswith("_") and not a.name.startswith("__"):
                    yield f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}.{a.name}"


def string_literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_does_not_import_forbidden_packages(layer: str) -> None:
    files = source_files(layer)
    assert files, f"no files found under {layer}/"
    bad = [
        f"{f.relative_to(ROOT)} imports {name}"
        for f in files
        for name in imports(f)
        if name.split(".")[0] in RULES[layer]
    ]
    assert bad == []


def test_core_imports_no_feature_package() -> None:
    bad = [
        f"{f.relative_to(ROOT)} imports {name}"
        for f in source_files("services/core")
        for name in imports(f)
        if name.startswith("services.") and not name.startswith("services.core")
    ]
    assert bad == []


def test_outbox_names_no_feature() -> None:
    allowed = ("services.core", "services.outbox")
    bad = [
        f"{f.relative_to(ROOT)} imports {name}"
        for f in source_files("services/outbox")
        for name in imports(f)
        if name.startswith("services.") and not name.startswith(allowed)
    ]
    assert bad == []


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_no_module_imports_another_modules_private_names() -> None:
    bad = [line for f in source_files(*LAYERS) for line in private_imports(f)]
    assert bad == []


def test_no_module_is_over_the_line_limit() -> None:
    big = {
        str(f.relative_to(ROOT)): n
        for f in source_files(*LAYERS)
        if (n := len(f.read_text().splitlines())) > MAX_LINES
    }
    assert big == {}


def test_services_speak_no_platform_markup() -> None:
    bad = [
        f"{f.relative_to(ROOT)}:{line}: {text[:60]!r}"
        for f in source_files("services")
        for line, text in string_literals(f)
        if SLACK_MARKUP.search(text)
    ]
    assert bad == []


def test_no_formatter_escapes() -> None:
    bad = [
        f"{f.relative_to(ROOT)}:{i}"
        for f in source_files(*LAYERS)
        for i, line in enumerate(f.read_text().splitlines(), 1)
        if "fmt: skip" in line or "fmt: off" in line
    ]
    assert bad == []


# --- the checks themselves can fail -----------------------------------------------------------


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from slack_sdk import WebClient\nimport os\n")
    assert "slack_sdk" in imports(probe)


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_a_private_import_is_found(tmp_path: Path) -> None:
    probe = ROOT / "tests" / "_probe_private.py"
    probe.write_text("from services.work.action_items import _audit\nfrom x import __all__\n")
    try:
        assert [line.split(" imports ")[1] for line in private_imports(probe)] == [
            "services.work.action_items._audit"
        ]
    finally:
        probe.unlink()


def test_markup_in_a_string_is_found() -> None:
    assert SLACK_MARKUP.search("see <#C123>") and SLACK_MARKUP.search("try `/pmo status`")
    assert SLACK_MARKUP.search("<!channel>") and SLACK_MARKUP.search("<@U123>")
    assert not SLACK_MARKUP.search("a < b and c > d")
