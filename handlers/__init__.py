"""Channel adapters: one sub-package per chat platform (and the local console)."""
