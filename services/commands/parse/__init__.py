"""The command grammar, one module per command group; `services.commands.parser` is the entry."""
