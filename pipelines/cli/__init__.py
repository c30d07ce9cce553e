"""`salesmetrics`: a thin command line over the same Dagster definitions the UI and schedules use."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipelines.cli.output import quiet_stdout, run_failure_paragraph
from pipelines.cli.style import PlainCommand, PlainGroup
from pipelines.lib.settings import export_paths, resolve_paths

__all__ = ["app", "quiet_stdout", "run_failure_paragraph"]

app = typer.Typer(
    cls=PlainGroup, help="Sales-performance metrics from CRM exports.", no_args_is_help=True, add_completion=False
)
command = app.command(cls=PlainCommand)
console = Console(soft_wrap=True)
# Paragraphs are soft-wrapped: the terminal wraps them, so file paths are never cut in two.
err = Console(stderr=True, soft_wrap=True)

DIR, FILE = "DIR", "FILE"


def _show_progress() -> bool:
    """Progress only for a person at a terminal: with stdout or stderr redirected (tests, CI, a log), none."""
    return console.is_terminal and err.is_terminal


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-06-30") from exc


@command
def sample(
    out: Annotated[Path, typer.Option(metavar=DIR, help="Folder to write the export set into.")] = Path(
        "data/inbox/sample"
    ),
    scale: Annotated[int, typer.Option(min=1, metavar="N", help="Number of opportunities.")] = 20_000,
    seed: Annotated[int, typer.Option(metavar="S", help="Random seed: same seed, same files.")] = 42,
    end_date: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Last day of the data (default today).")
    ] = None,
    currencies: Annotated[
        str | None,
        typer.Option(
            metavar="CODES", help="A multi-currency org: deals also in these ISO codes, e.g. EUR,GBP, with dated rates."
        ),
    ] = None,
) -> None:
    """Write a realistic Salesforce Data Export set (one CSV per object, API field names)."""
    from pipelines.cli.progress import chunk_progress
    from pipelines.lib.sample import generate
    from pipelines.lib.sample.currencies import parse_currencies

    end = _parse_date(end_date) or date.today()
    try:
        codes = parse_currencies(currencies)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--currencies") from None
    with chunk_progress(err, f"Generating opportunities up to {end}", scale, _show_progress()) as advance:
        counts = generate(out, scale=scale, seed=seed, end_date=end, currencies=codes, on_progress=advance)
    table = Table(title=f"Sample export written to {out}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


class Grain(StrEnum):
    weekly = "weekly"
    monthly = "monthly"


@command
def publish(
    grain: Annotated[Grain, typer.Argument(metavar="weekly|monthly", help="weekly (ISO weeks) or monthly.")],
    period: Annotated[
        str | None, typer.Option(metavar="PERIOD", help="2026-W47 or 2026-11 (default: the last closed one).")
    ] = None,
    warehouse: Annotated[Path | None, typer.Option(metavar=FILE, help="DuckDB file (SALES_WAREHOUSE).")] = None,
    publish_dir: Annotated[Path | None, typer.Option(metavar=DIR, help="Output folder (SALES_PUBLISH_DIR).")] = None,
    all_periods: Annotated[
        bool, typer.Option("--all", metavar="", help="Every closed period that holds data, as one backfill run.")
    ] = False,
) -> None:
    """Freeze closed periods' scorecards into snapshots and data/published/<grain>/<period>/."""
    from pipelines.cli.progress import run_progress
    from pipelines.cli.reports import print_publication
    from pipelines.cli.runner import RunFailed, run_job
    from pipelines.lib.publish.periods import (
        PeriodError,
        closed_periods_with_data,
        last_closed_period,
        partition_key_for,
    )

    paths = resolve_paths(warehouse=warehouse, publish_dir=publish_dir)
    export_paths(paths)
    try:
        if all_periods:
            first, last = closed_periods_with_data(paths.warehouse, grain.value)
            keys, what = (
                (partition_key_for(grain.value, first), partition_key_for(grain.value, last)),
                f"{first}…{last}",
            )
        else:
            label = period or last_closed_period(grain.value)
            keys, what = partition_key_for(grain.value, label), label
    except PeriodError as problem:
        err.print(f"[bold red]Cannot publish.[/] {problem}")
        raise typer.Exit(code=2) from None
    try:
        with run_progress(err, _show_progress()) as progress, quiet_stdout(paths.warehouse) as log:
            job = f"publish_{grain.value}_snapshot_job"
            ranged = {"partition_range": keys} if all_periods else {"partition_key": keys}
            result = run_job(job, **ranged, on_event=progress.on_event)
    except RunFailed as failure:
        err.print(f"[bold red]Nothing was published.[/] {failure} (Run log: {log}.)")
        raise typer.Exit(code=1) from None
    print_publication(console, result, f"{grain.value} {what}", every=all_periods)
    console.print(f"Done in {progress.timing_line()}.")


def _use_mapping(mapping: Path | None) -> None:
    """--mapping wins over SALES_MAPPING; a mapping that cannot be read stops here, naming file and line."""
    from pipelines.lib.ingest.mapping import MappingError, load_mapping

    if mapping is not None:
        os.environ["SALES_MAPPING"] = str(mapping.expanduser().resolve())
    chosen = os.environ.get("SALES_MAPPING")
    if chosen:
        try:
            load_mapping(Path(chosen))
        except MappingError as problem:
            err.print(f"[bold red]The mapping cannot be used.[/] {problem}")
            raise typer.Exit(code=2) from None


@command
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="FILE|DIR", help="Export files or folders (a folder is read like `run --inbox DIR`)."),
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(metavar=FILE, help="Mapping file (YAML), as `run --mapping` (default SALES_MAPPING)."),
    ] = None,
) -> None:
    """Audit exports without loading them: per file, what `run` would do with it, and why.

    Read by which mapping and key (with what would be rejected or quarantined, and why), or ignored and why."""
    from rich.markup import escape

    from pipelines.cli.reports import print_reports
    from pipelines.lib.ingest.mapping.claims import ClaimConflict
    from pipelines.lib.ingest.mapping.load import MappingError
    from pipelines.lib.ingest.mapping.validate import validate_paths

    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        err.print(f"[bold red]Nothing to validate.[/] No such file or folder: {', '.join(missing)}.")
        raise typer.Exit(code=2)
    _use_mapping(mapping)
    chosen = os.environ.get("SALES_MAPPING")
    try:
        with console.status("Auditing…"):
            reports = validate_paths(paths, Path(chosen) if chosen else None, inbox=resolve_paths().inbox)
    except (MappingError, ClaimConflict) as problem:
        err.print(f"[bold red]The mapping cannot be used.[/] {escape(str(problem))}")
        raise typer.Exit(code=2) from None
    if not print_reports(reports, console, err):
        raise typer.Exit(code=1)


@command
def run(
    inbox: Annotated[Path | None, typer.Option(metavar=DIR, help="Inbox folder (SALES_INBOX).")] = None,
    warehouse: Annotated[Path | None, typer.Option(metavar=FILE, help="DuckDB file (SALES_WAREHOUSE).")] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(metavar=FILE, help="Mapping file (YAML) for exports of another shape (SALES_MAPPING)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", metavar="", help="Rebuild every model in full, even when nothing is new.")
    ] = False,
) -> None:
    """Ingest every new export, build and test the marts, then print the KPI summary."""
    started = time.monotonic()
    paths = resolve_paths(inbox=inbox, warehouse=warehouse)
    if not paths.inbox.is_dir():
        err.print(
            f"[bold red]No inbox.[/] {paths.inbox} is not a folder: point --inbox (or SALES_INBOX) at the folder "
            "that holds the exports, or write a sample there with `salesmetrics sample --out DIR`.",
            highlight=False,
        )
        raise typer.Exit(code=2)
    export_paths(paths)
    _use_mapping(mapping)
    from pipelines.cli.nothing_new import said_nothing_new  # decided before Dagster, dbt and GX are imported

    if not force and said_nothing_new(console, paths, started):
        return
    from pipelines.cli.progress import run_progress
    from pipelines.cli.reports import print_run_summary
    from pipelines.cli.runner import RunFailed, refresh_warehouse, transform_skipped

    try:
        with run_progress(err, _show_progress()) as progress, quiet_stdout(paths.warehouse) as log:
            result = refresh_warehouse(force=force, on_event=progress.on_event)
    except RunFailed as failure:
        err.print(run_failure_paragraph(failure, log), markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    skipped = transform_skipped(result)
    if skipped:
        console.print(f"{skipped} (`salesmetrics run --force` rebuilds anyway.)", highlight=False)

    print_run_summary(console, paths.warehouse, paths.inbox)
    console.print(f"Done in {progress.timing_line()}.")


@command
def sql(
    warehouse: Annotated[Path | None, typer.Option(metavar=FILE, help="DuckDB file (SALES_WAREHOUSE).")] = None,
) -> None:
    """Open the analysts' copy (data/analytics.duckdb) read-only in the DuckDB shell, its schemas described."""
    from pipelines.cli.sql_shell import ShellUnavailable, open_shell

    try:
        open_shell(resolve_paths(warehouse=warehouse).warehouse)
    except ShellUnavailable as problem:
        err.print(f"[bold red]Cannot open the SQL shell.[/] {problem}")
        raise typer.Exit(code=2) from None
