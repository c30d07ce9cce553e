"""Benchmark: the pipeline against the bare-DuckDB floor on one generated export, with a per-stage profile.

``python benchmarks/bench.py --scale N`` (``make bench``: 1,000,000) generates one seeded export, then measures
in one go: the floor (benchmarks/floor.py: one DuckDB process loading every CSV and computing the monthly
core), the full ``salesmetrics run``, a second run with nothing new, a run after a 1 % daily delta (a newer
export folder with new and changed deals, benchmarks/delta.py) and ``salesmetrics publish monthly``. Each
gets its wall time, the peak RSS of its process tree and its ratio to the floor; each run gets the time of
every Dagster step (ingest asset, audit check, dbt) and dbt's time per model. Figures only, no assertions:
the machine may be shared, so compare ratios rather than seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml
from delta import write_delta
from floor import marts_agree
from measure import Measured, measure
from stages import (
    analyst_copy_seconds,
    dagster_steps,
    dbt_by_kind,
    dbt_models,
    newest_run_id,
    run_table,
    stage_table,
    step_table,
)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
END = date(2026, 6, 30)  # the export's last day; the delta is the next day's
DELTA_DAY = date(2026, 7, 1)


def prepare(work: Path, engine: str = "duckdb", memory_limit: str | None = None) -> dict[str, str]:
    """The environment of every measured command: its own inbox, warehouse, Dagster home and settings, and the
    engine dbt builds on (``spark``: dbt on Spark in session mode, README "Spark").

    ``memory_limit``: every DuckDB connection's (salesmetrics.yml duckdb.memory_limit), e.g. 2GB; default the
    project's setting."""
    home = work / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    settings = yaml.safe_load((ROOT / "salesmetrics.yml").read_text()) or {}
    # the delta is an incremental export (a few deals): the partial-export rule would refuse it
    settings.setdefault("audit", {})["row_count_min_ratio"] = 0
    if memory_limit:
        settings["duckdb"] = {**(settings.get("duckdb") or {}), "memory_limit": memory_limit}
    (work / "salesmetrics.yml").write_text(yaml.safe_dump(settings))
    return {
        **os.environ,
        "SALES_INBOX": str(work / "inbox"),
        "SALES_WAREHOUSE": str(work / "warehouse.duckdb"),
        "SALES_PUBLISH_DIR": str(work / "published"),
        "SALES_REJECTED_DIR": str(work / "rejected"),
        "SALES_CONFIG": str(work / "salesmetrics.yml"),
        "DAGSTER_HOME": str(home),
        "SALES_ENGINE": engine,
    }


def profiled_run(name: str, env: dict[str, str], work: Path) -> Measured:
    """Run ``salesmetrics run`` and print its profile at once (a long bench that is stopped keeps it)."""
    since = time.time()
    measured = measure([str(BIN / "salesmetrics"), "run"], env, ROOT, work / f"{name}.log")
    steps = dagster_steps(Path(env["DAGSTER_HOME"]), since)
    models = dbt_models(ROOT / "dbt_project" / "target", since, newest_run_id(Path(env["DAGSTER_HOME"])))
    report = [f"\n{name}: {measured.seconds:.1f} s, peak {measured.peak_mib:,.0f} MiB", " by stage:"]
    report += stage_table(steps, measured.seconds)
    report += [" steps (ingest assets, audit checks, dbt):", *step_table(steps)]
    copy = analyst_copy_seconds(Path(env["DAGSTER_HOME"]), since)
    if copy is not None:
        report += [f" of the dbt step, writing the analysts' copy: {copy:.1f} s"]
    if models:
        report += [" dbt by kind of node (summed; threads overlap):", *dbt_by_kind(models)]
        report += [" slowest 10 dbt nodes:", *step_table(models, 10)]
    print("\n".join(report) + "\n", flush=True)
    return measured


def bench(scale: int, seed: int, work: Path, engine: str = "duckdb", memory_limit: str | None = None) -> None:
    env = prepare(work, engine, memory_limit)
    export = work / "inbox" / END.isoformat()
    sample = measure(
        [str(BIN / "salesmetrics"), "sample", "--out", str(export), "--scale", str(scale), "--seed", str(seed)]
        + ["--end-date", END.isoformat()],
        env,
        ROOT,
    )
    size = sum(p.stat().st_size for p in export.glob("*.csv")) / 2**20
    limit = f", DuckDB memory_limit {memory_limit}" if memory_limit else ""
    written = f"export {size:,.0f} MiB of CSV written in {sample.seconds:.1f} s"
    print(f"engine {engine}; scale {scale:,} (seed {seed}{limit}): {written} ({work})")
    floor = measure(
        [sys.executable, str(Path(__file__).with_name("floor.py")), str(export), str(work / "floor.db")], env, ROOT
    )
    runs: list[tuple[str, Measured]] = []

    def measured(name: str, m: Measured) -> None:
        """Each command's line as soon as it ends: a long bench that is stopped keeps what it measured."""
        runs.append((name, m))
        print(run_table([(name, m)], floor)[-1], flush=True)

    print("\n".join(run_table([], floor)), flush=True)
    measured("full run", profiled_run("full run", env, work))
    months, differing = marts_agree(work / "floor.db", Path(env["SALES_WAREHOUSE"]))
    agreement = (
        f"marts.sales_by_period against the floor: {differing} of {months} months differ in revenue, won, lost "
        "or win rate"
    )
    print(agreement, flush=True)
    measured("nothing new", profiled_run("nothing new", env, work))
    delta_rows = write_delta(export, work / "inbox" / DELTA_DAY.isoformat(), DELTA_DAY)
    measured(f"1% delta ({delta_rows:,} deals)", profiled_run("1% delta", env, work))
    publish = [str(BIN / "salesmetrics"), "publish", "monthly", "--period", END.strftime("%Y-%m")]
    measured("publish monthly", measure(publish, env, ROOT, work / "publish.log"))
    print("\n" + "\n".join(run_table(runs, floor)))
    print(agreement)
    warehouse = Path(env["SALES_WAREHOUSE"]).stat().st_size / 2**20
    print(f"\nwarehouse: {warehouse:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000, help="opportunities in the export")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--memory-limit",
        help="DuckDB memory_limit of every connection of the runs (e.g. 2GB); default: salesmetrics.yml",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (export, warehouse, logs)")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb", help="the engine dbt builds on")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=f"bench_{args.scale}_"))
    try:
        bench(args.scale, args.seed, work, args.engine, args.memory_limit)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
