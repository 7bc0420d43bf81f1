"""RACI charts that act: who is chased, who is escalated to, who signs off, who is told."""
