"""Load: an hour of the inbox sensor ticking every 30 s while daily exports drop in, some during a run.

Seeded drops: ``--days`` generated daily exports (one folder per day, ``inbox/salesforce/<YYYY-MM-DD>/``), each
dropping at a random moment of the hour, its files one by one over the next ``SPREAD`` seconds (each object's
files in date order, as a CRM writes them; each file whole, by rename, as a sync tool does). Time is simulated:
between runs the clock jumps from tick to tick; during a run (the real `salesmetrics run`, the command the sensor's
job runs) it follows the real clock, and a thread drops what falls due and evaluates the real inbox sensor
(pipelines/defs/jobs.py, with its cursor) at every tick it passes, so files land during the run's ingest and dbt,
and the runs the sensor requests meanwhile queue, one at a time, as the run lock makes them. After the hour the
sensor keeps ticking until it requests nothing more.

Checked: no run failed; every dropped file loaded exactly once (one accepted row of the ingest log per file's
content: a later day's file with the bytes of one loaded before is skipped by its checksum); no raw row twice;
nothing rejected; the final marts equal a clean run over all files in a fresh warehouse, row for row
(tests/faults/checks.py, mart_differences). `make faults LOAD_ONLY=1` runs it (LOAD_SCALE, LOAD_DAYS);
tests/faults/test_load.py a short version.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.jobs import inbox_sensor
from pipelines.defs.resources import InboxResource, WarehouseResource
from pipelines.lib.duckdb_settings import duckdb_settings
from pipelines.lib.ingest.checksums import sha256_of
from pipelines.lib.sample import generate
from tests.faults.checks import loaded_twice, mart_count, mart_differences
from tests.faults.processes import _command, _env, complete

TICK = 30  # seconds between sensor evaluations
SPREAD = 120  # seconds over which one export's files drop
FIRST_DAY = date(2026, 6, 20)


@dataclass
class Drop:
    at: float  # simulated second of the hour
    source: Path
    target: Path  # relative to the inbox
    during_run: bool = False


@dataclass
class LoadReport:
    ticks: int = 0
    runs: int = 0
    failed: list[str] = field(default_factory=list)
    skipped_dbt: int = 0  # runs that found nothing new (dbt skipped)
    files: int = 0
    dropped_during_run: int = 0
    loaded_once: int = 0
    same_content: int = 0  # loaded once as an earlier day's identical file (same checksum): skipped, by design
    reseen_skipped: int = 0  # a loaded file met again by a later run and skipped by its checksum
    rejected: int = 0
    marts: int = 0
    differences: dict[str, tuple[int, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        equal = "yes" if not self.differences and self.marts else f"NO {self.differences}"
        return (
            f"ticks {self.ticks}, runs {self.runs} ({len(self.failed)} failed, {self.skipped_dbt} with nothing new), "
            f"files {self.files} ({self.dropped_during_run} dropped during a run), loaded once {self.loaded_once} "
            f"({self.same_content} of them as an earlier identical file), "
            f"already-loaded files met again and skipped {self.reseen_skipped}, rejected {self.rejected}, "
            f"marts equal to a clean run ({self.marts} marts): {equal}"
        )


def plan_drops(exports: Path, days: list[str], rng: random.Random, hour: float) -> list[Drop]:
    starts = sorted(rng.uniform(0, hour - SPREAD) for _ in days)
    drops, last = [], {}
    for day, start in zip(days, starts, strict=True):
        for path in sorted((exports / day).iterdir()):
            at = max(start + rng.uniform(0, SPREAD), last.get(path.name, -1.0) + 1)  # an object's days in order
            last[path.name] = at
            drops.append(Drop(at, path, Path("salesforce") / day / path.name))
    return sorted(drops, key=lambda d: d.at)


class Simulation:
    def __init__(self, root: Path, drops: list[Drop], hour: float, report: LoadReport) -> None:
        self.root, self.inbox, self.hour, self.report = root, root / "inbox", hour, report
        self.pending, self.dropped = list(drops), []
        self.now, self.next_tick, self.requested = 0.0, 0.0, 0
        self.settled = False  # the sensor ticked since the last run and asked for nothing
        self.resource = InboxResource(path=str(self.inbox), rejected_path=str(root / "rejected"))
        self.warehouse = WarehouseResource(
            database=str(root / "warehouse.duckdb"), connection_config=duckdb_settings().config()
        )
        self.cursor: str | None = None
        self.instance = dg.DagsterInstance.ephemeral()

    def drop_due(self, during_run: bool) -> None:
        while self.pending and self.pending[0].at <= self.now:
            drop = self.pending.pop(0)
            target = self.inbox / drop.target
            target.parent.mkdir(parents=True, exist_ok=True)
            scratch = self.root / "scratch" / drop.target
            scratch.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(drop.source, scratch)
            os.replace(scratch, target)  # whole, at once
            drop.during_run = during_run
            self.dropped.append(drop)

    def tick(self) -> None:
        """The sensor's evaluation at ``next_tick``, as the daemon does it (cursor carried over)."""
        # As a `with` block: the context's resources enter the instance, which sets Dagster's current state storage
        # for the process; left open, a later Dagster call in the same process finds it with its instance gone.
        resources = {"inbox": self.resource, "warehouse": self.warehouse}
        with dg.build_sensor_context(instance=self.instance, cursor=self.cursor, resources=resources) as context:
            result = inbox_sensor(context)
        self.report.ticks += 1
        self.next_tick += TICK
        if isinstance(result, dg.SensorResult):
            self.cursor = result.cursor or self.cursor
            self.requested += len(result.run_requests or [])
        self.settled = not self.requested

    def run(self) -> None:
        """One queued run, the real command; meanwhile the clock follows the real one, drops and ticks go on."""
        self.requested -= 1
        already = self.loaded_files()
        present = {p for p in self.inbox.rglob("*") if p.is_file()}
        began, start = time.monotonic(), self.now
        log = self.root / "runs" / f"run-{self.report.runs + 1}.log"
        log.parent.mkdir(exist_ok=True)
        with log.open("w") as out:
            process = subprocess.Popen(_command("run"), env=_env(self.root), stdout=out, stderr=subprocess.STDOUT)
            while process.poll() is None:
                self.now = start + time.monotonic() - began
                self.drop_due(during_run=True)
                while self.next_tick <= self.now:
                    self.tick()
                time.sleep(0.2)
        self.now = start + time.monotonic() - began
        self.settled = False
        self.report.runs += 1
        said = log.read_text()
        if process.returncode:
            self.report.failed.append(f"run {self.report.runs}: exit {process.returncode}: {said[-1500:]}")
        self.report.skipped_dbt += "Nothing new since" in said
        self.report.reseen_skipped += len({str(p) for p in present} & already)

    def loaded_files(self) -> set[str]:
        if not (self.root / "warehouse.duckdb").exists():
            return set()
        with duckdb.connect(str(self.root / "warehouse.duckdb"), read_only=True) as con:
            return {f for (f,) in con.execute("select source_file from raw._ingest_log").fetchall()}

    def go(self) -> None:
        """Tick through the hour, then on until the sensor has nothing more to start."""
        while self.now < self.hour or self.pending or self.requested or not self.settled:
            if self.requested:
                self.run()
                continue
            self.now = max(self.now, self.next_tick)
            self.drop_due(during_run=False)
            self.tick()


def check(root: Path, clean: Path, sim: Simulation, report: LoadReport) -> None:
    """A file is loaded once when its content (sha256) has exactly one accepted load; a later day's file with the
    same bytes as one loaded before (benchmarks.csv, Period.csv often are) is skipped by checksum, by design."""
    report.files = len(sim.dropped)
    report.dropped_during_run = sum(d.during_run for d in sim.dropped)
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        logged = con.execute("select source_file, sha256, status from raw._ingest_log").fetchall()
    accepted = Counter(sha for _, sha, status in logged if status == "accepted")
    paths = {f for f, _, status in logged if status == "accepted"}
    report.rejected = sum(status == "rejected" for _, _, status in logged)
    for drop in sim.dropped:
        n = accepted[sha256_of(drop.source)]
        report.loaded_once += n == 1
        report.same_content += n == 1 and str(sim.inbox / drop.target) not in paths
        if n != 1:
            report.problems.append(f"{drop.target} loaded {n} times")
    report.problems += [f"{status}: {f}" for f, _, status in logged if status != "accepted"]
    report.problems += loaded_twice(root / "warehouse.duckdb")
    report.problems += report.failed
    report.marts = mart_count(root)
    report.differences = mart_differences(root, clean)
    if report.differences or not report.marts:
        report.problems.append(f"marts differ from a clean run: {report.differences}")


def main(argv: list[str] | None = None) -> LoadReport:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=500, help="opportunities in each daily export")
    parser.add_argument("--days", type=int, default=6, help="daily exports dropped during the hour")
    parser.add_argument("--minutes", type=float, default=60, help="simulated time the drops spread over")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--workdir", type=Path, default=Path("data/load"))
    args = parser.parse_args(argv)
    shutil.rmtree(args.workdir, ignore_errors=True)
    base = args.workdir.resolve()
    days = [(FIRST_DAY + timedelta(days=k)).isoformat() for k in range(args.days)]
    for day in days:
        generate(base / "exports" / day, scale=args.scale, seed=args.seed, end_date=date.fromisoformat(day))
    rng, report = random.Random(args.seed), LoadReport()
    sim = Simulation(
        base / "load", plan_drops(base / "exports", days, rng, args.minutes * 60), args.minutes * 60, report
    )
    (base / "load").mkdir()
    sim.go()
    clean = base / "clean"
    for day in days:
        shutil.copytree(base / "exports" / day, clean / "inbox" / "salesforce" / day)
    complete(clean, "run")
    check(base / "load", clean, sim, report)
    return report


if __name__ == "__main__":
    began = time.monotonic()
    result = main()
    print(f"{result.summary()} ({time.monotonic() - began:.0f} s)")
    for problem in result.problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    sys.exit(1 if result.problems else 0)
