"""Cross-project dependencies, agreed in chat and watched once accepted."""
