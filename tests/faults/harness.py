"""Crash safety, proven: SIGKILL `salesmetrics run` and `salesmetrics publish` at random moments, then check.

After every kill: the warehouse opens; its marts are one whole build, the previous or the new one (never
mixed); no file was loaded twice. Then the command runs again to the end, and: the marts equal a clean run's
row for row, no publication folder is half-written, identical inputs added no version, and no temp or lock
file is left. Seeded: the same seed kills at the same moments. `make faults` runs the full version
(python -m tests.faults.harness); tests/faults/test_kills.py a short one.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipelines.lib.sample import generate
from tests.faults.checks import PERIOD, build_leftovers, half_publications, loaded_twice, marts, temps, versions

FIRST, NEWER = date(2026, 6, 30), date(2026, 7, 31)


@dataclass
class Report:
    run_kills: int = 0
    publish_kills: int = 0
    states_checked: int = 0
    problems: list[str] = field(default_factory=list)

    def check(self, ok: bool, problem: str) -> None:
        self.states_checked += 1
        if not ok:
            self.problems.append(problem)
            print(f"LOST: {problem}", file=sys.stderr, flush=True)

    def progress(self, what: str) -> None:
        print(f"{what}: {self.summary()}", file=sys.stderr, flush=True)

    def summary(self) -> str:
        lost = "; ".join(self.problems) if self.problems else "nothing"
        return (
            f"kills survived: {self.run_kills} of `salesmetrics run`, {self.publish_kills} of `salesmetrics publish`; "
            f"states checked: {self.states_checked}; lost or broken: {lost}"
        )


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "SALES_MAPPING", "SALES_CONFIG")}
    env.update(
        SALES_INBOX=str(root / "inbox"),
        SALES_WAREHOUSE=str(root / "warehouse.duckdb"),
        SALES_PUBLISH_DIR=str(root / "published"),
        SALES_REJECTED_DIR=str(root / "rejected"),
    )
    return env


def _command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("salesmetrics")), *args]


def complete(root: Path, *args: str) -> float:
    """Run a command to its end (it must succeed); return how long it took."""
    started = time.monotonic()
    done = subprocess.run(_command(*args), env=_env(root), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"salesmetrics {' '.join(args)} failed: {done.stderr[-2000:]}")
    return time.monotonic() - started


def rerun(root: Path, report: Report, what: str, *args: str) -> bool:
    """Run a command to its end after a kill; a failure is something the kill broke, reported, not raised."""
    try:
        complete(root, *args)
    except RuntimeError as exc:
        report.check(False, f"{what}: the rerun failed ({exc})")
        return False
    return True


def killed(root: Path, delay: float, *args: str) -> None:
    """Start a command and SIGKILL it (and dbt, its child) after ``delay`` seconds, unless it ended first."""
    process = subprocess.Popen(
        _command(*args), env=_env(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def restore(snapshot: Path, root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(snapshot, root, symlinks=True)


def prepare(base: Path, scale: int, seed: int) -> dict[str, object]:
    """Clean reference runs: the warehouse after the first export (A), after the newer one too (AB), published.

    Every run runs in ``work/`` (states are saved and restored by copying): dbt's parse state is valid for one
    warehouse path only, so one path keeps every run after the first on a partial parse."""
    exports, root = base / "exports", base / "work"
    generate(exports / "a", scale=scale, seed=seed, end_date=FIRST)
    generate(exports / "b", scale=scale, seed=seed, end_date=NEWER)
    state_a, state_ab, published = base / "state_a", base / "state_ab", base / "published_ab"
    shutil.copytree(exports / "a", root / "inbox" / "salesforce" / FIRST.isoformat())
    complete(root, "run")
    restore(root, state_a)
    shutil.copytree(exports / "b", root / "inbox" / "salesforce" / NEWER.isoformat())
    run_seconds = complete(root, "run")
    restore(root, state_ab)
    publish_seconds = complete(root, "publish", "monthly", "--period", PERIOD)
    restore(root, published)
    return {
        "a": state_a,
        "ab": state_ab,
        "published": published,
        "b": exports / "b",
        "marts_a": marts(state_a / "warehouse.duckdb"),
        "marts_ab": marts(state_ab / "warehouse.duckdb"),
        "run_seconds": run_seconds,
        "publish_seconds": publish_seconds,
    }


def mixture(state: dict[str, str], ref: dict) -> str:
    """Which build each mart comes from, for a state that is not one whole build."""
    a = sum(state.get(t) == d for t, d in ref["marts_a"].items())
    ab = sum(state.get(t) == d for t, d in ref["marts_ab"].items())
    return f"mixed: {len(state)} tables, {a} equal to the previous build's, {ab} to the new one's"


def kill_runs(base: Path, ref: dict, kills: int, rng: random.Random, report: Report, chained: bool) -> None:
    """Kill a run over the previous whole build with a newer export waiting; ``chained``: each kill on what the
    previous one left, one rerun at the end (the short version), else a rerun after each kill."""
    root, warehouse = base / "work", base / "work" / "warehouse.duckdb"
    for i in range(kills):
        if i == 0 or not chained:
            restore(ref["a"], root)
            shutil.copytree(ref["b"], root / "inbox" / "salesforce" / NEWER.isoformat())
        delay = rng.uniform(0.5, ref["run_seconds"] * 1.1)
        killed(root, delay, "run")
        report.run_kills += 1
        try:
            state = marts(warehouse)
        except duckdb.Error as exc:
            report.check(False, f"run kill {i}: the warehouse does not open ({exc})")
            continue
        report.check(state in (ref["marts_a"], ref["marts_ab"]), f"run kill {i}: marts {mixture(state, ref)}")
        copy = marts(root / "analytics.duckdb")  # the analysts' copy: one whole build too
        report.check(copy in (ref["marts_a"], ref["marts_ab"]), f"run kill {i}: analysts' copy {mixture(copy, ref)}")
        report.check(not loaded_twice(warehouse), f"run kill {i}: {loaded_twice(warehouse)}")
        if (not chained or i == kills - 1) and rerun(root, report, f"run kill {i}", "run"):
            same = marts(warehouse) == ref["marts_ab"]
            report.check(same, f"run kill {i}: marts differ from a clean run after rerun")
            same = marts(root / "analytics.duckdb") == ref["marts_ab"]
            report.check(same, f"run kill {i}: analysts' copy stale after rerun")
            report.check(not loaded_twice(warehouse), f"run kill {i}, rerun: {loaded_twice(warehouse)}")
            report.check(not build_leftovers(warehouse), f"run kill {i}, rerun: left {build_leftovers(warehouse)}")
            report.check(not temps(root), f"run kill {i}: left {temps(root)}")
        report.progress(f"run kill {i} at {delay:.1f} s")


def kill_publishes(base: Path, ref: dict, kills: int, rng: random.Random, report: Report, chained: bool) -> None:
    root = base / "work"
    for i in range(kills):
        if i == 0 or not chained:
            restore(ref["ab"], root)
        delay = rng.uniform(0.2, ref["publish_seconds"] * 1.1)
        killed(root, delay, "publish", "monthly", "--period", PERIOD)
        report.publish_kills += 1
        report.check(not half_publications(root), f"publish kill {i}: {half_publications(root)}")
        publish = ("publish", "monthly", "--period", PERIOD)
        if (not chained or i == kills - 1) and rerun(root, report, f"publish kill {i}", *publish):
            complete(root, *publish)  # identical inputs: no new version
            report.check(versions(root) == [1], f"publish kill {i}: versions {versions(root)} for identical inputs")
            folders = sorted(p.name for p in (root / "published" / "monthly" / PERIOD).iterdir())
            report.check(folders == ["v1", "versions.json"], f"publish kill {i}: period folder holds {folders}")
            report.check(not half_publications(root), f"publish kill {i}, rerun: {half_publications(root)}")
            report.check(not temps(root), f"publish kill {i}: left {temps(root)}")
        report.progress(f"publish kill {i} at {delay:.1f} s")


def main(argv: list[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-kills", type=int, default=20)
    parser.add_argument("--publish-kills", type=int, default=10)
    parser.add_argument("--scale", type=int, default=3_000, help="opportunities in each export")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--workdir", type=Path, default=Path("data/faults"))
    parser.add_argument("--chained", action="store_true", help="one rerun after all kills (the short version)")
    args = parser.parse_args(argv)
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    base = args.workdir.resolve()
    rng = random.Random(args.seed)
    ref = prepare(base, args.scale, args.seed)
    report = Report()
    print(f"clean run {ref['run_seconds']:.0f} s, publication {ref['publish_seconds']:.0f} s", file=sys.stderr)
    kill_runs(base, ref, args.run_kills, rng, report, args.chained)
    kill_publishes(base, ref, args.publish_kills, rng, report, args.chained)
    return report


if __name__ == "__main__":
    began = time.monotonic()
    try:
        result = main()
    except RuntimeError as exc:  # a clean reference run failed: nothing was killed yet
        sys.exit(f"The harness could not make its clean reference runs: {exc}")
    print(f"{result.summary()} ({time.monotonic() - began:.0f} s)")
    sys.exit(1 if result.problems else 0)
