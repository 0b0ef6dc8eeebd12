"""``fieldapp export`` and ``fieldapp import``: reports and participant lists from the shell."""

from __future__ import annotations


def register(sub, add_store_args) -> None:
    """Add the subcommands (filled in by the reports and imports feature)."""
