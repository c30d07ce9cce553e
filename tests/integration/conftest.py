"""A sample export set and a warehouse built from it by the real job, shared by the integration tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from pipelines.cli.runner import refresh_warehouse
from pipelines.lib.sample import generate
from pipelines.lib.settings import Paths, export_paths, resolve_paths

SAMPLE_END = date(2026, 6, 30)


@dataclass(frozen=True)
class Built:
    inbox: Path
    warehouse: Path
    export_dir: Path


@contextmanager
def restored_env(*keys: str) -> Iterator[None]:
    """Environment variables ``keys`` as they were before the block, whatever the block set or removed."""
    saved = {key: os.environ.get(key) for key in keys}
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def isolated_env() -> Iterator[None]:
    keys = (
        "SALES_INBOX",
        "SALES_WAREHOUSE",
        "SALES_PUBLISH_DIR",
        "SALES_REJECTED_DIR",
        "SALES_MAPPING",
        "DAGSTER_HOME",
    )
    with restored_env(*keys):
        os.environ.pop("DAGSTER_HOME", None)
        os.environ.pop("SALES_MAPPING", None)
        yield


def export_root(root: Path) -> Paths:
    """The paths of a run under ``root`` (``inbox/``, ``warehouse.duckdb``, ``published/``, ``rejected/``), exported
    to the environment, where the job and the command line read them."""
    paths = resolve_paths(
        inbox=root / "inbox",
        warehouse=root / "warehouse.duckdb",
        publish_dir=root / "published",
        rejected_dir=root / "rejected",
    )
    export_paths(paths)
    return paths


def build_warehouse(root: Path, *, scale: int, seed: int) -> Built:
    inbox = root / "inbox"
    export_dir = inbox / "salesforce" / SAMPLE_END.isoformat()
    generate(export_dir, scale=scale, seed=seed, end_date=SAMPLE_END)
    paths = export_root(root)
    refresh_warehouse()
    return Built(inbox=inbox, warehouse=paths.warehouse, export_dir=export_dir)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Built:
    """Seed 7, 4,000 opportunities up to 2026-06-30, ingested and transformed by refresh_warehouse_job."""
    return build_warehouse(tmp_path_factory.mktemp("sample"), scale=4_000, seed=7)
