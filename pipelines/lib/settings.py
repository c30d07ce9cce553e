"""Where things live: the inbox, the warehouse and the publish folder, from the environment.

Flags on the CLI override the environment; the environment overrides these defaults (PRODUCT.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

DEFAULTS = {
    "SALES_INBOX": "data/inbox",
    "SALES_WAREHOUSE": "data/warehouse.duckdb",
    "SALES_PUBLISH_DIR": "data/published",
    "SALES_REJECTED_DIR": "data/rejected",
}


@dataclass(frozen=True)
class Paths:
    inbox: Path
    warehouse: Path
    publish_dir: Path
    rejected_dir: Path


def resolve_paths(
    inbox: Path | None = None,
    warehouse: Path | None = None,
    publish_dir: Path | None = None,
    rejected_dir: Path | None = None,
) -> Paths:
    """Flag, else environment variable, else default; always absolute so dbt (run from its own folder) agrees."""

    def pick(flag: Path | None, var: str) -> Path:
        return Path(flag or os.environ.get(var) or DEFAULTS[var]).expanduser().resolve()

    return Paths(
        inbox=pick(inbox, "SALES_INBOX"),
        warehouse=pick(warehouse, "SALES_WAREHOUSE"),
        publish_dir=pick(publish_dir, "SALES_PUBLISH_DIR"),
        rejected_dir=pick(rejected_dir, "SALES_REJECTED_DIR"),
    )


def export_paths(paths: Paths) -> None:
    """Put resolved paths in the environment, where the Dagster resources (dg.EnvVar) and dbt read them."""
    os.environ["SALES_INBOX"] = str(paths.inbox)
    os.environ["SALES_WAREHOUSE"] = str(paths.warehouse)
    os.environ["SALES_PUBLISH_DIR"] = str(paths.publish_dir)
    os.environ["SALES_REJECTED_DIR"] = str(paths.rejected_dir)
