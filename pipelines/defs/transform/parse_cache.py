"""dbt's partial parse across runs: each dbt invocation of a run gets a fresh target folder (dagster-dbt), so
without the parse state of the previous build dbt parses the whole project again on every run.

dbt invalidates its parse state when the connection settings change (the warehouse path is one), so the state
made by ``make`` (dbt parse, for the default warehouse) only helps runs on that warehouse. The state of the last
successful build is therefore kept beside each warehouse and put in the next build's target folder; dbt still
re-parses whatever file changed since, so a stale state costs time, never correctness.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

PARTIAL_PARSE = "partial_parse.msgpack"


def kept_state(warehouse: Path) -> Path:
    return warehouse.parent / f".{warehouse.name}.dbt_{PARTIAL_PARSE}"


def target_with_parse_state(project_target: Path, name: str, warehouse: Path) -> Path:
    """A fresh target folder for one dbt invocation, holding the parse state kept for ``warehouse`` if any (else
    dagster-dbt copies the project's own, made by ``dbt parse``)."""
    target = project_target / f"{name}-{uuid.uuid4().hex[:12]}"
    state = kept_state(warehouse)
    if state.is_file():
        target.mkdir(parents=True)
        shutil.copyfile(state, target / PARTIAL_PARSE)
    return target


def keep_parse_state(target: Path, warehouse: Path) -> None:
    """After a successful build: keep its parse state for the next one (swapped in whole, never half written)."""
    made = target / PARTIAL_PARSE
    if not made.is_file():
        return
    partial = kept_state(warehouse).with_suffix(f".{os.getpid()}.partial")
    shutil.copyfile(made, partial)
    os.replace(partial, kept_state(warehouse))
