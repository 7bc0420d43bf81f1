"""`pmo-bot teams`: Microsoft Teams set-up; `teams package` writes the app package to upload.

Light on purpose: `pmo-bot teams --help` imports click alone; the builder (and matplotlib, for
the icons) loads when a package is built.
"""

from __future__ import annotations

from pathlib import Path

import click

APP_ID_ENV = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"


@click.group(name="teams")
def teams_group() -> None:
    """Microsoft Teams: build the app package to upload."""


@click.command(name="package")
@click.option(
    "--app-id",
    envvar=APP_ID_ENV,
    required=True,
    help=f"The bot's Microsoft Entra application (client) ID, a GUID (default: ${APP_ID_ENV}).",
)
@click.option(
    "--public-url",
    envvar="PUBLIC_URL",
    required=True,
    help="The https address of `pmo-bot serve`, e.g. https://pmo.example.com "
    "(default: $PUBLIC_URL).",
)
@click.option("--name", default="PMO Bot", show_default=True, help="The app's name in Teams.")
@click.option(
    "--version",
    "app_version",
    default="1.0.0",
    show_default=True,
    help="The package version: raise it for each new upload of the same app.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default="pmo-bot.zip",
    show_default=True,
    help="Where to write the zip.",
)
def package_cmd(app_id: str, public_url: str, name: str, app_version: str, output: str) -> None:
    """Write the Teams app package (manifest and icons) to upload in Teams."""
    from bot import teams_package  # noqa: PLC0415 (the builder and matplotlib load only here)

    try:
        spec = teams_package.spec(
            app_id=app_id, public_url=public_url, name=name, version=app_version
        )
    except teams_package.PackageError as err:
        raise click.UsageError(str(err)) from None
    target = Path(output)
    if not target.parent.is_dir():
        raise click.UsageError(f"No folder {str(target.parent)!r} to write {target.name} in.")
    data = teams_package.package(spec)
    try:
        target.write_bytes(data)
    except OSError as err:
        raise click.ClickException(f"Could not write {output}: {err.strerror}.") from None
    manifest = teams_package.manifest(spec)
    menus = manifest["bots"][0]["commandLists"]
    counts = ", ".join(f"{len(m['commands'])} {m['scopes'][0]}" for m in menus)
    click.echo(
        f"Wrote {output} ({len(data) // 1024 + 1} KB): {spec.name} {spec.version}, manifest "
        f"{teams_package.MANIFEST_VERSION}, bot {spec.app_id}, menu commands {counts}, "
        f"message actions Create action item and Add to minutes."
    )
    click.echo(
        "Upload it in Teams (Apps → Manage your apps → Upload an app) or in the Teams admin "
        "center (Teams apps → Manage apps → Upload new app). The bot's messaging endpoint is "
        f"{spec.public_url}/api/messages."
    )


teams_group.add_command(package_cmd)
