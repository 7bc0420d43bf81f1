"""`pmo-bot teams package`: the Teams app package validates against Microsoft's manifest schema
1.25 (vendored in tests/data/teams), its icons meet Teams' size and colour rules, its command menu
follows the help table, and bad arguments get a clear message and no file."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from bot import teams_icons, teams_package
from bot.cli.main import main
from handlers.teams.ids import MessageAction
from services.commands.help import ENTRIES
from tests.test_startup import HEAVY, imported_by

SCHEMA_PATH = Path(__file__).parent / "data" / "teams" / "MicrosoftTeams.schema.json"
APP_ID = "6f1d2c3b-0a9e-4b7c-8d5e-123456789abc"
URL = "https://pmo.example.com"
BIN = Path(sys.executable).parent / "pmo-bot"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def schema_errors(schema: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    """What Microsoft's schema says is wrong with `manifest` (its own draft, 04), plus the
    keyword draft 04 does not know (`const`, used for manifestVersion)."""
    validator_class = jsonschema.validators.validator_for(schema)
    # Its patterns are ECMAScript (one uses \\p{L}, which Python's re lacks): not checked as
    # regexes here; none of them applies to what the package holds.
    validator_class.check_schema(schema, format_checker=None)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator_class(schema).iter_errors(manifest)
    ]
    if manifest.get("manifestVersion") != schema["properties"]["manifestVersion"]["const"]:
        errors.append(f"manifestVersion: {manifest.get('manifestVersion')!r}")
    return errors


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def build(**overrides: str) -> dict[str, bytes]:
    args = {"app_id": APP_ID, "public_url": URL} | overrides
    return unzip(teams_package.package(teams_package.spec(**args)))


def rgba(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG"
        return np.array(im.convert("RGBA"))


def test_the_package_validates_against_microsofts_schema(schema: dict[str, Any]) -> None:
    files = build(public_url="https://Teams.Example.org/pmo/", name="Acme PMO")
    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]  # at the zip's root
    manifest = json.loads(files["manifest.json"])
    assert schema_errors(schema, manifest) == []
    assert manifest["$schema"] == (
        "https://developer.microsoft.com/en-us/json-schemas/teams/v1.25/MicrosoftTeams.schema.json"
    )
    assert manifest["manifestVersion"] == "1.25"
    assert manifest["id"] == APP_ID and manifest["name"]["short"] == "Acme PMO"
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["supportsFiles"] is False and bot["isNotificationOnly"] is False
    assert manifest["validDomains"] == ["teams.example.org"]
    assert manifest["webApplicationInfo"] == {"id": APP_ID}
    assert manifest["developer"]["websiteUrl"] == "https://teams.example.org/pmo"
    for icon in ("color", "outline"):
        assert manifest["icons"][icon] in files  # the manifest names files that are there


def test_the_schema_catches_what_teams_would_refuse(schema: dict[str, Any]) -> None:
    """The check above can fail: a broken manifest gets the schema's errors."""
    manifest = json.loads(build()["manifest.json"])
    manifest["bots"][0]["botId"] = "not-a-guid"
    manifest["name"]["short"] = "x" * 31
    manifest["manifestVersion"] = "1.24"
    del manifest["accentColor"]
    errors = schema_errors(schema, manifest)
    assert any(e.startswith("bots/0/botId:") for e in errors)
    assert any(e.startswith("name/short:") for e in errors)
    assert any("accentColor" in e for e in errors)
    assert "manifestVersion: '1.24'" in errors


def test_the_two_message_actions() -> None:
    manifest = json.loads(build()["manifest.json"])
    (extension,) = manifest["composeExtensions"]
    assert extension["botId"] == APP_ID
    commands = {c["title"]: c for c in extension["commands"]}
    assert list(commands) == ["Create action item", "Add to minutes"]
    for command in commands.values():
        assert command["type"] == "action" and command["context"] == ["message"]
        assert command["fetchTask"] is True
    assert commands["Create action item"]["id"] == MessageAction.CREATE_ITEM
    assert commands["Add to minutes"]["id"] == MessageAction.ADD_TO_MINUTES


def test_the_command_menu_lists_the_top_commands_of_the_help() -> None:
    manifest = json.loads(build()["manifest.json"])
    lists = {tuple(m["scopes"]): m["commands"] for m in manifest["bots"][0]["commandLists"]}
    assert set(lists) == {("personal",), ("team",), ("groupChat",)}
    summaries = [e.summary for e in ENTRIES]
    for commands in lists.values():
        assert 1 <= len(commands) <= 10
        for command in commands:
            assert 0 < len(command["title"]) <= 32 and 0 < len(command["description"]) <= 128
            # Said as the help says it: a help summary, with its usage when that fits.
            assert any(command["description"].startswith(s.rstrip(".")[:60]) for s in summaries)
    personal = {c["title"]: c["description"] for c in lists[("personal",)]}
    assert personal["action list"] == (
        "List action items (default: mine): action list [mine|overdue|<KEY>]"
    )
    assert {"help", "new", "status", "report"} <= set(personal)
    team = [c["title"] for c in lists[("team",)]]
    assert {"minutes start", "minutes note", "minutes decision", "minutes end"} <= set(team)
    help_line = personal["help"]
    assert help_line.startswith("This help; topics: project, action") and help_line.endswith("…")


def test_a_menu_command_the_help_no_longer_has_stops_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(teams_package, "PERSONAL_MENU", ("help", "action frobnicate"))
    monkeypatch.setattr(teams_package, "MENUS", {"personal": teams_package.PERSONAL_MENU})
    with pytest.raises(teams_package.PackageError, match="action frobnicate"):
        teams_package.command_lists()


def test_the_icons_meet_teams_rules() -> None:
    files = build()
    color = rgba(files["color.png"])
    assert color.shape == (192, 192, 4)
    assert (color[..., 3] == 255).all()  # full colour, opaque
    assert len(np.unique(color[..., :3].reshape(-1, 3), axis=0)) > 3  # not one flat colour
    assert tuple(color[0, 0, :3]) == (0x1D, 0x35, 0x57)  # the accent colour at the edge
    assert teams_icons.ACCENT == teams_package.ACCENT

    outline = rgba(files["outline.png"])
    assert outline.shape == (32, 32, 4)
    alpha = outline[..., 3]
    assert alpha[0, 0] == alpha[0, -1] == alpha[-1, 0] == alpha[-1, -1] == 0  # transparent
    assert (alpha == 0).sum() > 32 * 32 // 2  # mostly background
    assert (alpha == 255).sum() > 40  # a solid shape
    assert (outline[alpha > 0][:, :3] == 255).all()  # white only


def test_the_same_arguments_give_the_same_bytes() -> None:
    spec = teams_package.spec(app_id=APP_ID, public_url=URL)
    assert teams_package.package(spec) == teams_package.package(spec)
    other = teams_package.package(
        teams_package.spec(app_id=APP_ID, public_url=URL, version="1.0.1")
    )
    assert other != teams_package.package(spec)


def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["teams", "package", *args], env=env)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--app-id", "pmo-bot", "--public-url", URL), "application (client) ID, a GUID"),
        (("--app-id", APP_ID[:-1], "--public-url", URL), "got '6f1d2c3b-0a9e-4b7c"),
        (
            ("--app-id", APP_ID, "--public-url", "http://pmo.example.com"),
            "must start with https://",
        ),
        (("--app-id", APP_ID, "--public-url", "pmo.example.com"), "must start with https://"),
        (("--app-id", APP_ID, "--public-url", "https://localhost:3978"), "public host"),
        (("--app-id", APP_ID, "--public-url", f"{URL}/?x=1"), "without ?… or #…"),
        (("--app-id", APP_ID, "--public-url", URL, "--name", "P" * 31), "1 to 30 characters"),
        (("--app-id", APP_ID, "--public-url", URL, "--version", "1.0"), "three numbers like 1.0.0"),
        (("--public-url", URL), "--app-id"),
    ],
)
def test_bad_arguments_get_a_clear_message_and_no_file(
    args: tuple[str, ...], says: str, tmp_path: Path
) -> None:
    out = tmp_path / "pmo-bot.zip"
    env = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "", "PUBLIC_URL": ""}
    result = invoke(*args, "-o", str(out), env=env)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not out.exists()


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    result = invoke("--app-id", APP_ID, "--public-url", URL, "-o", str(tmp_path / "no" / "p.zip"))
    assert result.exit_code == 2 and "No folder" in result.output and "/no'" in result.output


def test_the_app_id_and_url_come_from_the_environment(tmp_path: Path) -> None:
    env = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID.upper(),
           "PUBLIC_URL": "https://bot.example.net"}  # fmt: skip
    out = tmp_path / "app.zip"
    result = invoke("-o", str(out), env=env)
    assert result.exit_code == 0, result.output
    manifest = json.loads(unzip(out.read_bytes())["manifest.json"])
    assert manifest["bots"][0]["botId"] == APP_ID  # lower case
    assert manifest["validDomains"] == ["bot.example.net"]


def test_pmo_bot_teams_package_end_to_end(tmp_path: Path, schema: dict[str, Any]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONNECTIONS__", "PUBLIC_"))}
    done = subprocess.run(
        [str(BIN), "teams", "package", "--app-id", APP_ID, "--public-url", URL,
         "--name", "PMO Bot", "-o", "pmo-bot.zip"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Wrote pmo-bot.zip" in done.stdout
    assert "https://pmo.example.com/api/messages" in done.stdout  # the endpoint to register
    files = unzip((tmp_path / "pmo-bot.zip").read_bytes())
    assert schema_errors(schema, json.loads(files["manifest.json"])) == []
    assert rgba(files["outline.png"]).shape == (32, 32, 4)


def test_teams_help_loads_neither_the_builder_nor_matplotlib(tmp_path: Path) -> None:
    names, out = imported_by("teams", "--help", cwd=tmp_path)
    assert not names & set(HEAVY), sorted(names & set(HEAVY))
    assert "package" in out and "Microsoft Teams" in out
    names, out = imported_by("--help", cwd=tmp_path)
    assert "teams" in out and "matplotlib" not in names
