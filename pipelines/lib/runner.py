"""Run the Dagster jobs from plain Python (the CLI), recording runs where the UI can see them."""

from __future__ import annotations

import os

import dagster as dg


class RunFailed(Exception):
    """A run that did not succeed; the message is the explanation for people."""


def _instance() -> dg.DagsterInstance:
    # With DAGSTER_HOME set, CLI runs land in the same history as the UI's; otherwise a throwaway one.
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _failure_message(result: dg.ExecuteInProcessResult) -> str:
    messages = []
    for event in result.all_events:
        if event.event_type != dg.DagsterEventType.STEP_FAILURE:
            continue
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:
            error = error.cause
        text = error.message.strip() if error is not None else "unknown error"
        messages.append(f"Step {event.step_key}: {text.splitlines()[0] if text else 'failed'}")
    return " ".join(messages) or "The run failed; see the Dagster run log."


def run_job(name: str) -> dg.ExecuteInProcessResult:
    """Execute one of the code location's jobs in this process; raise RunFailed with the reason."""
    from pipelines.definitions import defs

    job = defs.resolve_job_def(name)
    with _instance() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    if not result.success:
        raise RunFailed(_failure_message(result))
    return result


def refresh_warehouse() -> dg.ExecuteInProcessResult:
    """Ingest and transform through the code location's own job."""
    return run_job("refresh_warehouse_job")
