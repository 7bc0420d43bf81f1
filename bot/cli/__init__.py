"""The `pmo-bot` command line: `main` (bot.cli.main) and one module per command group."""
