"""A sample export set and a warehouse built from it by the real job, shared by the integration tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from filelock import FileLock

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


def _sample_export(inbox: Path) -> Path:
    return inbox / "salesforce" / SAMPLE_END.isoformat()


def build_warehouse(root: Path, *, scale: int, seed: int) -> Built:
    inbox = root / "inbox"
    export_dir = _sample_export(inbox)
    generate(export_dir, scale=scale, seed=seed, end_date=SAMPLE_END)
    paths = export_root(root)
    refresh_warehouse()
    return Built(inbox=inbox, warehouse=paths.warehouse, export_dir=export_dir)


def copy_of_built(built: Built, root: Path) -> Built:
    """The session's sample (``built``) copied under ``root``, for a test that must write to a built warehouse: the
    inbox (modification times kept), the warehouse and the analysts' copy, one file copy each instead of a run.
    The environment points at the copy. Its raw rows still name the files under the shared folder they were loaded
    from (a copy's files have the same checksums, so a run does not load them again)."""
    shutil.copytree(built.inbox, root / "inbox")
    for name in (built.warehouse.name, "analytics.duckdb"):
        shutil.copy2(built.warehouse.parent / name, root / name)
    paths = export_root(root)
    inbox = root / "inbox"
    return Built(inbox=inbox, warehouse=paths.warehouse, export_dir=_sample_export(inbox))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Built:
    """Seed 7, 4,000 opportunities up to 2026-06-30, ingested and transformed by refresh_warehouse_job.

    Built once for the whole session, not once per xdist worker: the first worker to get here builds it in the
    session's shared temp folder under a file lock, the others wait and read the same warehouse. Its tests only
    read it (read-only connections, `mf query` on the read-only target); a test that needs to write (dbt's unit
    tests open it read-write) works on a copy, so no worker ever holds a write lock on the shared file.
    """
    worker_base = tmp_path_factory.getbasetemp()
    shared = worker_base.parent if os.environ.get("PYTEST_XDIST_WORKER") else worker_base
    root = shared / "shared_sample"
    with FileLock(str(shared / "shared_sample.lock")):
        if (root / ".built").is_file():
            export_root(root)
            inbox = root / "inbox"
            return Built(inbox=inbox, warehouse=root / "warehouse.duckdb", export_dir=_sample_export(inbox))
        shutil.rmtree(root, ignore_errors=True)  # a build that failed half-way: start again
        done = build_warehouse(root, scale=4_000, seed=7)
        (root / ".built").touch()
        return done
