"""Wall time and peak RSS of a command's whole process tree (dbt runs as a child of the Dagster run)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mib: float  # the largest sum of RSS over the process and its descendants, sampled


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in (process, *process.children(recursive=True)):
        try:
            total += member.memory_info().rss
        except psutil.Error:  # ended between listing and reading
            continue
    return total


def measure(command: list[str], env: dict[str, str], cwd: Path, log: Path | None = None) -> Measured:
    """Run ``command`` to its end; its output goes to ``log`` (or nowhere). Raise SystemExit if it fails."""
    out = log.open("a") if log else subprocess.DEVNULL
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        tree = psutil.Process(child.pid)
        while not done.is_set():
            try:
                peak = max(peak, _tree_rss(tree))
            except psutil.Error:
                return
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if log:
        out.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed (exit {code}){f'; see {log}' if log else ''}")
    # ru_maxrss: the largest single process, a floor when the sampler missed a short peak
    return Measured(seconds, max(peak, usage.ru_maxrss * 1024) / 2**20)
