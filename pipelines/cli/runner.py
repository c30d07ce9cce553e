"""Run the Dagster jobs from plain Python (the CLI), recording runs where the UI can see them."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.utils import make_new_run_id

from pipelines.lib.config import load_runs_config
from pipelines.lib.failures import NOT_YOUR_FILE, classify
from pipelines.lib.run_lock import WarehouseBusy, writer_lock
from pipelines.lib.settings import export_paths, resolve_paths

STAGES = ("ingest", "audit", "transform", "publish")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DBT_LOG = re.compile(r"view the dbt debug log: (\S+?)\.?$", re.MULTILINE)
_DBT_NODE = re.compile(r"(?:Failure|Error) in (test|model|snapshot|seed) (\S+) \(([^)]+)\)")


class RunFailed(Exception):
    """A run that did not succeed; the message is the explanation for people.

    ``stage`` is where it stopped (one of STAGES, None when unknown); for a dbt failure, ``dbt_nodes`` lists
    (kind, name, model) of each failed test or model and ``dbt_log`` is dbt's own log file.
    """

    def __init__(
        self,
        message: str,
        stage: str | None = None,
        dbt_nodes: tuple[tuple[str, str, str | None], ...] = (),
        dbt_log: str | None = None,
        cause: str | None = None,
    ) -> None:
        super().__init__(message)
        self.cause = cause  # pipelines.lib.failures: busy, disk_full, …; setup (DAGSTER_HOME); None: a file or our SQL
        self.stage = stage
        self.dbt_nodes = dbt_nodes
        self.dbt_log = dbt_log


def _instance() -> dg.DagsterInstance:
    # With DAGSTER_HOME set, CLI runs land in the same history as the UI's; otherwise a throwaway one.
    home = os.environ.get("DAGSTER_HOME")
    if home:
        if not Path(home).expanduser().is_dir():  # Dagster's own error would reach the terminal as a traceback
            raise RunFailed(
                f"DAGSTER_HOME is {home}, which is not a folder: Dagster keeps the run history there. Create it "
                f"(`mkdir -p {home}` and copy the project's dagster.yaml into it, as `make setup` does for "
                "data/dagster_home), point DAGSTER_HOME at the folder you meant, or unset it to run without keeping "
                f"a history. Nothing was loaded or changed. {NOT_YOUR_FILE}",
                cause="setup",
            )
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _stage_of(job: dg.JobDefinition, event: dg.DagsterEvent) -> str | None:
    """The stage of the step an event belongs to: the group of its assets, or audit for the audit checks."""
    return _stage_of_handle(job, event.node_handle)


def stage_of_node(job: dg.JobDefinition, node_name: str) -> str | None:
    """The stage of one of the job's steps, by its node's name (the progress display plans with it)."""
    from dagster._core.definitions.dependency import NodeHandle

    return _stage_of_handle(job, NodeHandle(node_name, None))


def _stage_of_handle(job: dg.JobDefinition, handle: object) -> str | None:
    try:
        assets_def = job.asset_layer.get_assets_def_for_node(handle)
    except Exception:  # a step of no asset: no stage to name
        return None
    if assets_def is None:
        return None
    if not assets_def.keys and any(key.name.endswith("__passes_audit") for key in assets_def.check_keys):
        return "audit"
    # dbt's assets are grouped by their layer (staging, history, intermediate, marts): they are the transform
    if any("dbt" in spec.kinds for spec in assets_def.specs):
        return "transform"
    groups = set(assets_def.group_names_by_key.values()) & set(STAGES)
    return groups.pop() if len(groups) == 1 else None


def _failure(result: dg.ExecuteInProcessResult) -> RunFailed:
    """What each failed step or failed blocking check said, without tracebacks, and where the run stopped."""
    job = result.job_def
    messages: list[str] = []
    stages: list[str] = []
    dbt_nodes: dict[str, tuple[str, str, str | None]] = {}
    dbt_log = None
    causes: list[str] = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation.passed or evaluation.severity == dg.AssetCheckSeverity.WARN:
                continue  # a warning (a dbt test of severity warn, a freshness check) stops nothing
            if evaluation.check_name.endswith("__passes_audit"):
                stages.append("audit")
                if evaluation.description:
                    messages.append(evaluation.description)
            elif _stage_of(job, event) == "transform":  # a dbt test, checking the model it is attached to
                model = ".".join(evaluation.asset_key.path)
                dbt_nodes[evaluation.check_name] = ("test", evaluation.check_name, model)
            elif evaluation.description:
                messages.append(evaluation.description)
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            stage = _stage_of(job, event)
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:
                error = error.cause
            text = _ANSI.sub("", error.message if error is not None else "").strip()
            cause = classify(text)  # a held warehouse, a full disk, …: its own message, never "fix the file"
            if cause is not None:
                causes.append(cause.kind)
                messages.append(cause.message)
                stages.extend([stage] if stage else [])
                continue
            if stage == "transform" and ("dbt" in text.lower() or dbt_nodes or _DBT_NODE.search(text)):
                stages.append("transform")
                found = _DBT_LOG.search(text)
                dbt_log = found.group(1) if found else dbt_log
                for kind, name, _path in _DBT_NODE.findall(text):
                    dbt_nodes.setdefault(name, (kind, name, name if kind != "test" else None))
                continue
            if stage:
                stages.append(stage)
            # "pipelines.lib.ingest.files.FileRejected: /path: …" → "/path: …"
            first = text.split(": ", 1)[1] if ": " in text and "." in text.split(": ", 1)[0] else text
            if "asset check" not in first.lower():
                messages.append(first.strip() or f"Step {event.step_key} failed.")
    stage = next((s for s in STAGES if s in stages), None)  # the earliest stage that failed
    if stage == "transform" and dbt_nodes:
        named = "; ".join(
            f"dbt {kind} {name}" + (f" on {model}" if kind == "test" and model else "")
            for kind, name, model in dbt_nodes.values()
        )
        messages.insert(
            0,
            f"{named} failed. This is a bug in salesmetrics, not in your data: the audit checks every property "
            "the dbt tests assert about input rows before transform, so a failing dbt test or model means our "
            "SQL computed something wrong. Please report it with the logs below.",
        )
    message = " ".join(dict.fromkeys(messages)) or "The run failed; see the Dagster run log."
    return RunFailed(
        message, stage=stage, dbt_nodes=tuple(dbt_nodes.values()), dbt_log=dbt_log, cause=next(iter(causes), None)
    )


@contextmanager
def _writer(warehouse: Path, job: str) -> Iterator[None]:
    """The warehouse's writer lock, taken before anything is written (the job's resource re-enters it)."""
    entry = " ".join(["salesmetrics", *sys.argv[1:]]) if sys.argv[0].endswith("salesmetrics") else f"job {job}"
    try:
        with writer_lock(warehouse, entry, load_runs_config().lock_wait_seconds):
            yield
    except WarehouseBusy as busy:
        raise RunFailed(str(busy), cause="busy") from None
    except OSError as problem:  # the lock file cannot be written: a read-only folder, a full disk
        cause = classify(str(problem))
        if cause is None:
            raise
        raise RunFailed(cause.message, cause=cause.kind) from None


EventListener = Callable[[dg.JobDefinition, Any], None]


def definitions_of(job: str) -> dg.Definitions:
    """The definitions a job runs from: a publication's own (no dbt, no audit: seconds less to load), else the
    code location's."""
    from pipelines.defs.publish.jobs import PUBLISH_JOBS

    if job in PUBLISH_JOBS.values():
        from pipelines.publish_definitions import defs
    else:
        from pipelines.definitions import defs
    return defs


def run_job(
    name: str,
    partition_key: str | None = None,
    partition_range: tuple[str, str] | None = None,
    *,
    tags: dict[str, str] | None = None,
    on_event: EventListener | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute one of the code location's jobs in this process; raise RunFailed with the reason.

    ``partition_range`` runs a range of partitions as one run, as a single-run backfill does. ``on_event`` is
    called with the job and each event log entry of the run as it happens (the command line's progress).
    """
    paths = resolve_paths()
    export_paths(paths)  # every path the resources read, from the environment or the defaults
    job = definitions_of(name).resolve_job_def(name)
    tags = {**(tags or {})}
    if partition_range:
        tags["dagster/asset_partition_range_start"] = partition_range[0]
        tags["dagster/asset_partition_range_end"] = partition_range[1]
    run_id = make_new_run_id()
    with _writer(paths.warehouse, name), _instance() as instance:
        if on_event is not None:
            instance.add_event_listener(run_id, lambda entry: on_event(job, entry))
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            partition_key=partition_key,
            tags=tags or None,
            run_id=run_id,
            # The terminal gets one paragraph, not Dagster's event stream; the run log keeps every event.
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    if not result.success:
        raise _failure(result)
    return result


def refresh_warehouse(*, force: bool = False, on_event: EventListener | None = None) -> dg.ExecuteInProcessResult:
    """Ingest and transform through the code location's own job (``force``: rebuild even with nothing new)."""
    from pipelines.defs.transform.assets import FORCE_TRANSFORM_TAG

    return run_job("refresh_warehouse_job", tags={FORCE_TRANSFORM_TAG: "true"} if force else None, on_event=on_event)


def transform_skipped(result: dg.ExecuteInProcessResult) -> str | None:
    """What the run said when dbt had nothing new to build ("Nothing new since …"), None when it built."""
    from pipelines.defs.transform.assets import SKIPPED_METADATA_KEY

    for event in result.get_asset_observation_events():
        said = event.asset_observation_data.asset_observation.metadata.get(SKIPPED_METADATA_KEY)
        if said is not None:
            return str(said.value)
    return None
