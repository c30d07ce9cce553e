"""Where a run's time went: each Dagster step (ingest asset, audit check, dbt) and each dbt model, as tables."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from measure import Measured


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float


def stage_of(step: str) -> str:
    if "passes_audit" in step:
        return "audit"
    if "dbt" in step:
        return "dbt"
    if step.startswith("raw__"):
        return "ingest"
    return "other"


def newest_run_id(dagster_home: Path) -> str:
    """The id of the newest run in ``dagster_home``."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        [run] = instance.get_runs(limit=1)
        return run.run_id


def dagster_steps(dagster_home: Path, since: float = 0) -> list[Step]:
    """Each step of the newest run in ``dagster_home``, start to success (or failure), in start order; none when
    that run was created before ``since`` (a command that decided before starting a job, nothing new)."""
    import dagster as dg

    starts: dict[str, float] = {}
    steps = []
    for entry in newest_run_logs(dagster_home, since):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            starts[event.step_key] = entry.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            steps.append(Step(event.step_key, entry.timestamp - starts.get(event.step_key, entry.timestamp)))
    return steps


def newest_run_logs(dagster_home: Path, since: float = 0) -> list:
    """The event log of the newest run in ``dagster_home``; empty when that run was created before ``since``."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        records = instance.get_run_records(limit=1)
        if not records or records[0].create_timestamp.timestamp() < since:
            return []
        return list(instance.all_logs(records[0].dagster_run.run_id))


COPY_MESSAGE = re.compile(r"Analysts' copy refreshed: \d+ tables in (?P<seconds>[0-9.]+) s")


def analyst_copy_seconds(dagster_home: Path, since: float = 0) -> float | None:
    """Seconds the newest run spent writing the analysts' copy (inside the dbt step), from its log; None when it
    wrote none (nothing new) or the run was created before ``since``."""
    for entry in newest_run_logs(dagster_home, since):
        if found := COPY_MESSAGE.search(entry.user_message or ""):
            return float(found["seconds"])
    return None


def dbt_models(target: Path, since: float, run_id: str | None = None) -> list[Step]:
    """Each dbt node's execution time from the newest run_results.json under ``target`` written after ``since``; of
    the Dagster run ``run_id`` when given (its build folder, ``sales_dbt_models-<first 8 of the id>-…``): another
    run in the same checkout (a test) may have written a newer one meanwhile."""
    found = [p for p in target.rglob("run_results.json") if p.stat().st_mtime >= since]
    if run_id is not None:
        found = [p for p in found if f"-{run_id[:8]}-" in f"{p.parent.name}-"]
    if not found:
        return []
    results = json.loads(max(found, key=lambda p: p.stat().st_mtime).read_text())["results"]
    steps = []
    for r in results:
        kind, _project, name = r["unique_id"].split(".", 2)
        steps.append(Step(f"{kind} {name}", float(r["execution_time"])))
    return steps


def run_table(runs: list[tuple[str, Measured]], floor: Measured) -> list[str]:
    """One line per measured command: wall seconds, peak RSS and the ratio of its wall time to the floor's."""
    lines = [f"{'what':<24} {'seconds':>9} {'peak MiB':>9} {'× floor':>8}"]
    for name, m in [("floor (bare DuckDB)", floor), *runs]:
        lines.append(f"{name:<24} {m.seconds:>9.1f} {m.peak_mib:>9,.0f} {m.seconds / floor.seconds:>8.2f}")
    return lines


def stage_table(steps: Iterable[Step], wall: float) -> list[str]:
    """Seconds per stage (ingest, audit, dbt, other steps), and what the steps leave of the wall time (process
    start, loading the definitions, Dagster's own work between steps)."""
    totals: dict[str, float] = {}
    for step in steps:
        totals[stage_of(step.name)] = totals.get(stage_of(step.name), 0.0) + step.seconds
    totals["outside steps"] = wall - sum(totals.values())
    return [f"  {stage:<22} {seconds:>9.1f} {seconds / wall:>7.0%}" for stage, seconds in totals.items()]


def step_table(steps: Iterable[Step], limit: int | None = None) -> list[str]:
    ordered = sorted(steps, key=lambda s: -s.seconds)[:limit]
    return [f"  {s.name[:60]:<60} {s.seconds:>8.2f}" for s in ordered]


def dbt_by_kind(models: Iterable[Step]) -> list[str]:
    """dbt's time by kind of node (model, test, seed), summed over its nodes (threads overlap them)."""
    totals: dict[str, float] = {}
    for m in models:
        kind = m.name.split(" ")[0]
        totals[kind] = totals.get(kind, 0.0) + m.seconds
    return [f"  {k:<22} {v:>9.1f}" for k, v in sorted(totals.items(), key=lambda kv: -kv[1])]
