"""Crash safety, proven: SIGKILL `salesmetrics run` and `salesmetrics publish` at random moments, then check.

After every kill: the warehouse opens; its marts are one whole build, the previous or the new one (never
mixed); no file was loaded twice. Then the command runs again to the end, and: the marts equal a clean run's
row for row, no publication folder is half-written, identical inputs added no version, and no temp or lock
file is left. Seeded: the same seed kills at the same moments. `make faults` runs the full version
(python -m tests.faults.harness); tests/faults/test_kills.py a short one (``--short``: tiny exports of three
objects, the kills chained, one rerun each, and no clean run over both exports: the kills' states are checked
against the previous build and the rerun's, so the rerun is not compared with a clean run row for row).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from pipelines.lib.sample import generate
from tests.faults.checks import (
    PERIOD,
    build_leftovers,
    half_publications,
    loaded_twice,
    marts,
    released,
    temps,
    versions,
)
from tests.faults.processes import Report, complete, killed, rerun, restore

FIRST, NEWER = date(2026, 6, 30), date(2026, 7, 31)


SHORT_OBJECTS = ("Account.csv", "Opportunity.csv", "User.csv")


def prepare(base: Path, scale: int, seed: int, short: bool) -> dict:
    """Clean reference runs: the warehouse after the first export (A) and, unless ``short``, after the newer one
    too (AB), published.

    Every run runs in ``work/`` (states are saved and restored by copying): dbt's parse state is valid for one
    warehouse path only, so one path keeps every run after the first on a partial parse."""
    exports, root = base / "exports", base / "work"
    for name, end in (("a", FIRST), ("b", NEWER)):
        generate(exports / name, scale=scale, seed=seed, end_date=end)
        for path in (exports / name).iterdir() if short else ():
            if path.name not in SHORT_OBJECTS:
                path.unlink()
    ref: dict = {"b": exports / "b", "a": base / "state_a", "ab": base / "state_ab"}
    shutil.copytree(exports / "a", root / "inbox" / "salesforce" / FIRST.isoformat())
    ref["run_seconds"] = complete(root, "run")
    restore(root, ref["a"])
    ref["marts_a"], ref["marts_ab"] = marts(ref["a"] / "warehouse.duckdb"), None
    ref["publish_seconds"] = 10.0  # short: a publication's start-up and files, measured about 9 s
    if not short:
        shutil.copytree(exports / "b", root / "inbox" / "salesforce" / NEWER.isoformat())
        ref["run_seconds"] = complete(root, "run")
        restore(root, ref["ab"])
        ref["marts_ab"] = marts(ref["ab"] / "warehouse.duckdb")
        ref["publish_seconds"] = complete(root, "publish", "monthly", "--period", PERIOD)
    return ref


def mixture(state: dict[str, str], ref: dict) -> str:
    """Which build each mart comes from, for a state that is not one whole build."""
    a = sum(state.get(t) == d for t, d in ref["marts_a"].items())
    ab = sum(state.get(t) == d for t, d in (ref["marts_ab"] or {}).items())
    return f"mixed: {len(state)} tables, {a} equal to the previous build's, {ab} to the new one's"


def kill_runs(base: Path, ref: dict, kills: int, rng: random.Random, report: Report, chained: bool) -> None:
    """Kill a run over the previous whole build with a newer export waiting; ``chained``: each kill on what the
    previous one left, one rerun at the end (the short version), else a rerun after each kill. Without a clean
    reference of the new build (``--short``), each kill's state is checked once the rerun made it."""
    root, warehouse = base / "work", base / "work" / "warehouse.duckdb"
    pending: list[tuple[str, dict[str, str]]] = []
    for i in range(kills):
        if i == 0 or not chained:
            restore(ref["a"], root)
            shutil.copytree(ref["b"], root / "inbox" / "salesforce" / NEWER.isoformat())
        delay = rng.uniform(0.5, ref["run_seconds"] * 1.1)
        killed(root, delay, "run")
        report.run_kills += 1
        try:
            released(warehouse)
            pending += [(f"run kill {i}: marts", marts(warehouse))]
            report.mid_build += bool(build_leftovers(warehouse))
        except duckdb.Error as exc:
            report.check(False, f"run kill {i}: the warehouse does not open ({exc})")
            continue
        pending += [(f"run kill {i}: analysts' copy", marts(root / "analytics.duckdb"))]  # one whole build too
        report.check(not loaded_twice(warehouse), f"run kill {i}: {loaded_twice(warehouse)}")
        if (not chained or i == kills - 1) and rerun(root, report, f"run kill {i}", "run"):
            if ref["marts_ab"] is None:  # short: the rerun's build is the new one
                ref["marts_ab"] = marts(warehouse)
            else:
                report.check(marts(warehouse) == ref["marts_ab"], f"run kill {i}: marts differ from a clean run")
            same = marts(root / "analytics.duckdb") == ref["marts_ab"]
            report.check(same, f"run kill {i}: analysts' copy differs from the marts after the rerun")
            report.check(not loaded_twice(warehouse), f"run kill {i}, rerun: {loaded_twice(warehouse)}")
            report.check(not build_leftovers(warehouse), f"run kill {i}, rerun: left {build_leftovers(warehouse)}")
            report.check(not temps(root), f"run kill {i}: left {temps(root)}")
        if ref["marts_ab"] is not None:
            for what, state in pending:
                report.check(state in (ref["marts_a"], ref["marts_ab"]), f"{what} {mixture(state, ref)}")
            pending = []
        report.progress(f"run kill {i} at {delay:.1f} s")


def kill_publishes(base: Path, ref: dict, kills: int, rng: random.Random, report: Report, chained: bool) -> None:
    """Kill publications of a period not yet published (the clean state AB, or what the run kills' rerun made)."""
    root = base / "work"
    publish = ("publish", "monthly", "--period", PERIOD)
    for i in range(kills):
        if not chained or (i == 0 and (ref["ab"] / "warehouse.duckdb").exists()):
            restore(ref["ab"], root)
        delay = rng.uniform(0.2, ref["publish_seconds"] * 1.1)
        killed(root, delay, *publish)
        report.publish_kills += 1
        report.check(not half_publications(root), f"publish kill {i}: {half_publications(root)}")
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
    parser.add_argument("--chained", action="store_true", help="one rerun after all kills")
    parser.add_argument("--short", action="store_true", help="chained, tiny exports, no clean run of both exports")
    args = parser.parse_args(argv)
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    base = args.workdir.resolve()
    rng = random.Random(args.seed)
    ref = prepare(base, args.scale, args.seed, args.short)
    report = Report()
    print(f"clean run {ref['run_seconds']:.0f} s, publication {ref['publish_seconds']:.0f} s", file=sys.stderr)
    kill_runs(base, ref, args.run_kills, rng, report, args.chained or args.short)
    kill_publishes(base, ref, args.publish_kills, rng, report, args.chained or args.short)
    return report


if __name__ == "__main__":
    began = time.monotonic()
    try:
        result = main()
    except RuntimeError as exc:  # a clean reference run failed: nothing was killed yet
        sys.exit(f"The harness could not make its clean reference runs: {exc}")
    print(f"{result.summary()} ({time.monotonic() - began:.0f} s)")
    sys.exit(1 if result.problems else 0)
