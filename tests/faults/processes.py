"""The kill harness's processes (salesmetrics run to its end, or killed at a moment) and its report."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Report:
    run_kills: int = 0
    mid_build: int = 0  # run kills that left _build__ tables: dbt had built some of the new marts
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
            f"kills survived: {self.run_kills} of `salesmetrics run` "
            f"({self.mid_build} with part of a new build of the marts written), "
            f"{self.publish_kills} of `salesmetrics publish`; "
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
        _wait_for_group_to_die(process.pid)


def _wait_for_group_to_die(group: int, timeout: float = 60.0) -> None:
    """Until no process of ``group`` is left: the command is reaped at once, but dbt (its child) may still be dying
    and hold the warehouse's lock for a moment, longer on a busy machine (seen: "the warehouse does not open")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _living_members(group):
        time.sleep(0.05)


def _living_members(group: int) -> list[int]:
    """The processes of ``group`` not yet dead (a zombie has released its locks, and init may never reap it)."""
    living = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (command)": state, ppid, pgrp, …
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            living.append(int(stat.parent.name))
    return living


def restore(snapshot: Path, root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(snapshot, root, symlinks=True)
