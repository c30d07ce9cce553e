"""Built-in sources, each an ordinary mapping file (README "Bring your own export"): HubSpot, Pipedrive and
Salesforce report exports. A file whose header holds every ``recognise`` label of one of them is read with it."""

from __future__ import annotations

from pathlib import Path

BUILTIN_DIR = Path(__file__).parent


def builtin_paths() -> list[Path]:
    """The built-in mapping files, by name."""
    return sorted(BUILTIN_DIR.glob("*.yml"))
