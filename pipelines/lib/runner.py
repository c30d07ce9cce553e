"""Run the Dagster jobs from plain Python (the CLI), recording runs where the UI can see them."""

from __future__ import annotations

import os

import dagster as dg

from pipelines.lib.settings import export_paths, resolve_paths


class RunFailed(Exception):
    """A run that did not succeed; the message is the explanation for people."""


def _instance() -> dg.DagsterInstance:
    # With DAGSTER_HOME set, CLI runs land in the same history as the UI's; otherwise a throwaway one.
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _failure_message(result: dg.ExecuteInProcessResult) -> str:
    """One paragraph: what each failed step or failed blocking check said, without tracebacks."""
    messages = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.description:
                messages.append(evaluation.description)
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:
                error = error.cause
            text = (error.message if error is not None else "").strip()
            # "pipelines.lib.files.FileRejected: /path: …" → "/path: …"
            first = text.split(": ", 1)[1] if ": " in text and "." in text.split(": ", 1)[0] else text
            if "asset check" not in first.lower():
                messages.append(first.strip() or f"Step {event.step_key} failed.")
    return " ".join(dict.fromkeys(messages)) or "The run failed; see the Dagster run log."


def run_job(
    name: str, partition_key: str | None = None, partition_range: tuple[str, str] | None = None
) -> dg.ExecuteInProcessResult:
    """Execute one of the code location's jobs in this process; raise RunFailed with the reason.

    ``partition_range`` runs a range of partitions as one run, as a single-run backfill does.
    """
    from pipelines.definitions import defs

    export_paths(resolve_paths())  # every path the resources read, from the environment or the defaults
    job = defs.resolve_job_def(name)
    tags = (
        {
            "dagster/asset_partition_range_start": partition_range[0],
            "dagster/asset_partition_range_end": partition_range[1],
        }
        if partition_range
        else None
    )
    with _instance() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            partition_key=partition_key,
            tags=tags,
            # The terminal gets one paragraph, not Dagster's event stream; the run log keeps every event.
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    if not result.success:
        raise RunFailed(_failure_message(result))
    return result


def refresh_warehouse() -> dg.ExecuteInProcessResult:
    """Ingest and transform through the code location's own job."""
    return run_job("refresh_warehouse_job")
