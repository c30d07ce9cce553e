"""dbt's partial parse across runs and warehouses: each dbt invocation of a run gets a fresh target folder
(dagster-dbt), so without the parse state of an earlier build dbt parses the whole project again (~9 s).

dbt reuses a parse state only when nothing it hashes changed: the profile's connection values, the env vars
dbt_project.yml reads, the cli vars and dbt's version; then it re-parses just the files that changed since (or
that read an env var whose value changed). The profile names no folder or setting of the warehouse
(pipelines/lib/transform/dbt_warehouse.py), so a build's state serves every warehouse of this project. It does
not serve from the state ``make`` leaves (dbt parse for Dagster's manifest): a build runs with
SALES_MARTS_BUILD_PREFIX set, which the override macro generate_alias_name reads, and a changed override macro
makes dbt parse everything.

So after each successful build its state is kept twice: beside the warehouse (this warehouse's settings, e.g.
its reporting currency) and in the project's target folder (for any other warehouse, a new one included). The
next build starts from the first that exists; a stale state costs time (dbt re-parses what changed), never
correctness.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

PARTIAL_PARSE = "partial_parse.msgpack"
BUILD_STATE = f"build_{PARTIAL_PARSE}"
TARGETS_KEPT = 20  # the newest builds' target folders kept (dbt's log, compiled SQL, run_results.json)


def kept_state(warehouse: Path) -> Path:
    return warehouse.parent / f".{warehouse.name}.dbt_{PARTIAL_PARSE}"


def shared_state(project_target: Path) -> Path:
    return project_target / BUILD_STATE


def target_with_parse_state(project_target: Path, name: str, warehouse: Path) -> Path:
    """A fresh target folder for one dbt invocation, holding the parse state kept for ``warehouse``, else the last
    build's of any warehouse, if any (else dagster-dbt copies the project's own, made by ``dbt parse``)."""
    target = project_target / f"{name}-{uuid.uuid4().hex[:12]}"
    state = next((s for s in (kept_state(warehouse), shared_state(project_target)) if s.is_file()), None)
    if state is not None:
        target.mkdir(parents=True)
        shutil.copyfile(state, target / PARTIAL_PARSE)
    return target


def keep_parse_state(target: Path, warehouse: Path, project_target: Path) -> None:
    """After a successful build: keep its parse state for the next ones (each copy swapped in whole, never half
    written, so concurrent builds of other warehouses read one state or another)."""
    made = target / PARTIAL_PARSE
    if not made.is_file():
        return
    for kept in (kept_state(warehouse), shared_state(project_target)):
        partial = kept.with_name(f"{kept.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial")
        shutil.copyfile(made, partial)
        os.replace(partial, kept)


def prune_targets(
    project_target: Path, prefix: str, keep: int = TARGETS_KEPT, running: Path | None = None
) -> list[Path]:
    """Remove the target folders named ``prefix*`` of all but the newest ``keep`` builds; return the removed.

    Each build leaves one (its manifest, compiled SQL, run results and dbt's log: 2-12 MB and ~850 files at any
    scale); a daily schedule would otherwise pile them up for ever. ``running``: the folder of the build under way
    (it may not exist yet), counted among the kept and never removed; so the prune can run beside the build (the
    removal takes ~1 s per folder on a slow disk). A build running meanwhile in another process has the newest."""
    folders = sorted(
        (f for f in project_target.glob(f"{prefix}*") if f.is_dir() and f != running),
        key=lambda f: f.stat().st_mtime,
        reverse=True,
    )
    removed = folders[keep - (running is not None) :]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed
