"""Progress of a run on the terminal, driven by the run's own Dagster events, and the per-stage timing line.

Each stage (ingest, audit, transform, publish) gets one line as it starts: its steps done of all, the files and
rows landed so far (ingest), the dbt models built (transform) and the elapsed time. Nothing but the final timing
line is printed when the output is not a terminal (tests, CI, a log file).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from pipelines.cli.runner import STAGES, stage_of_node

_DBT_BUILT = re.compile(r"^dbt built (\d+) of (\d+) models$")
_STEP_END = {dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.STEP_SKIPPED}


def _node_name(step_key: str) -> str:
    return step_key.split("[", 1)[0]


class RunProgress:
    """Feed it every event of one run (``on_event``); ``timing_line`` sums each stage's step durations."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.console = console
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<9}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
            disable=not enabled,
            # dbt's own lines go to the run log (quiet_stdout): the display must not take stdout back
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.seconds: dict[str, float] = {}
        self._tasks: dict[str, Any] = {}
        self._totals: dict[str, int] = {}
        self._stage_by_node: dict[str, str | None] = {}
        self._started: dict[str, float] = {}
        self._files = self._rows = 0

    def _plan(self, job: dg.JobDefinition) -> None:
        if self._stage_by_node:
            return
        for name in job.graph.node_dict:
            self._stage_by_node[name] = stage = stage_of_node(job, name)
            if stage:
                self._totals[stage] = self._totals.get(stage, 0) + 1

    def _task(self, stage: str) -> Any:
        if stage not in self._tasks:
            self._tasks[stage] = self.progress.add_task(stage, total=self._totals.get(stage) or None, detail="")
        return self._tasks[stage]

    def on_event(self, job: dg.JobDefinition, entry: Any) -> None:
        try:
            self._on_event(job, entry)
        except Exception:  # noqa: BLE001 - a display must never stop the run it shows
            return

    def _on_event(self, job: dg.JobDefinition, entry: Any) -> None:
        self._plan(job)
        event = entry.dagster_event
        if event is None:  # a log line: the dbt asset says how many models it has built
            found = _DBT_BUILT.match(entry.user_message or "")
            if found and "transform" in self._tasks:
                built, total = map(int, found.groups())
                self.progress.update(self._tasks["transform"], detail=f"{built:,} of {total:,} models")
            return
        if event.step_key is None:
            return
        stage = self._stage_by_node.get(_node_name(event.step_key))
        if stage is None:
            return
        task = self._task(stage)
        if event.event_type == dg.DagsterEventType.STEP_START:
            self._started[event.step_key] = entry.timestamp
        elif event.event_type in _STEP_END and event.step_key in self._started:
            duration = entry.timestamp - self._started.pop(event.step_key)
            self.seconds[stage] = self.seconds.get(stage, 0.0) + duration
            self.progress.advance(task)
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION and stage == "ingest":
            metadata = event.event_specific_data.materialization.metadata
            landed = metadata.get("files_landed")
            self._files += len(landed.value) if landed is not None else 0
            rows = metadata.get("rows_landed")
            self._rows += int(rows.value) if rows is not None else 0
            self.progress.update(task, detail=f"{self._files:,} files · {self._rows:,} rows")

    def timing_line(self) -> str:
        """``ingest 12.3 s · audit 4.1 s · transform 61.0 s · publish 2.2 s`` (the stages the run went through)."""
        return " · ".join(f"{stage} {self.seconds[stage]:.1f} s" for stage in STAGES if stage in self.seconds)


@contextmanager
def run_progress(console: Console, enabled: bool) -> Iterator[RunProgress]:
    progress = RunProgress(console, enabled)
    with progress.progress:
        yield progress


@contextmanager
def chunk_progress(console: Console, what: str, total: int, enabled: bool) -> Iterator[Any]:
    """A bar for work done in counted parts (the sample's opportunities); yields ``advance(done)``."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn(what),
        BarColumn(bar_width=30),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not enabled,
    )
    with bar:
        task = bar.add_task(what, total=total)
        yield lambda done: bar.update(task, completed=done)
