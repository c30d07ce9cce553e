"""Benchmark: per stage (sample, validate, ingest + audit, dbt build), wall time, rows/s and peak memory.

Each stage runs in its own process so its peak RSS is its own. Usage: python benchmarks/bench.py [SCALE ...]
(default 100000 1000000). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def measure(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall seconds and peak RSS in MiB of one command (and the children it waited for)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed (exit {os.waitstatus_to_exitcode(status)})")
    return elapsed, usage.ru_maxrss / 1024


def bench(scale: int) -> list[tuple[str, int, float, float]]:
    work = Path(tempfile.mkdtemp(prefix=f"bench_{scale}_"))
    env = {
        **os.environ,
        "SALES_INBOX": str(work / "inbox"),
        "SALES_WAREHOUSE": str(work / "warehouse.duckdb"),
        "SALES_PUBLISH_DIR": str(work / "published"),
        "SALES_REJECTED_DIR": str(work / "rejected"),
    }
    env.pop("DAGSTER_HOME", None)
    out = work / "inbox" / "sample"
    stages = []
    seconds, peak = measure(
        [
            str(BIN / "salesmetrics"),
            "sample",
            "--out",
            str(out),
            "--scale",
            str(scale),
            "--seed",
            "1",
            "--end-date",
            "2026-06-30",
        ],
        env,
    )
    stages.append(("sample", scale, seconds, peak))
    # The audit alone on the largest file: land + GX suite + quarantine, in a throwaway warehouse.
    seconds, peak = measure([str(BIN / "salesmetrics"), "validate", str(out / "Opportunity.csv")], env)
    stages.append(("validate", scale, seconds, peak))
    ingest = "from pipelines.cli.runner import run_job; run_job('ingest_exports_job')"
    seconds, peak = measure([sys.executable, "-c", ingest], env)
    with duckdb.connect(env["SALES_WAREHOUSE"], read_only=True) as con:
        raw_rows = con.execute("select sum(rows) from raw._ingest_log").fetchone()[0]
    stages.append(("ingest+audit", int(raw_rows), seconds, peak))
    seconds, peak = measure([str(BIN / "dbt"), "build", "--quiet", "--profiles-dir", "."], env, ROOT / "dbt_project")
    stages.append(("dbt build", scale, seconds, peak))
    size = Path(env["SALES_WAREHOUSE"]).stat().st_size / 2**20
    print(f"  warehouse size: {size:,.0f} MiB ({work})")
    return stages


def main() -> None:
    scales = [int(arg) for arg in sys.argv[1:]] or [100_000, 1_000_000]
    print(f"{'scale':>10} {'stage':<13} {'rows':>12} {'seconds':>9} {'rows/s':>11} {'peak MiB':>9}")
    for scale in scales:
        for stage, rows, seconds, peak in bench(scale):
            print(f"{scale:>10,} {stage:<13} {rows:>12,} {seconds:>9.1f} {rows / seconds:>11,.0f} {peak:>9,.0f}")


if __name__ == "__main__":
    main()
