"""`salesmetrics`: a thin command line over the same Dagster definitions the UI and schedules use."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipelines.cli.output import quiet_stdout, run_failure_paragraph
from pipelines.lib.settings import export_paths, resolve_paths

__all__ = ["app", "quiet_stdout", "run_failure_paragraph"]

app = typer.Typer(help="Sales-performance metrics from CRM exports.", no_args_is_help=True)
console = Console(soft_wrap=True)
# Paragraphs are soft-wrapped: the terminal wraps them, so file paths are never cut in two.
err = Console(stderr=True, soft_wrap=True)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-06-30") from exc


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="Folder to write the export set into.")] = Path("data/inbox/sample"),
    scale: Annotated[int, typer.Option(min=1, help="Number of opportunities.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same files.")] = 42,
    end_date: Annotated[str | None, typer.Option(help="Last day of the data, YYYY-MM-DD (default today).")] = None,
    currencies: Annotated[
        str | None,
        typer.Option(help="A multi-currency org: deals also in these ISO codes, e.g. EUR,GBP, with dated rates."),
    ] = None,
) -> None:
    """Write a realistic Salesforce Data Export set (one CSV per object, API field names)."""
    from pipelines.lib.sample import generate
    from pipelines.lib.sample.currencies import parse_currencies

    end = _parse_date(end_date) or date.today()
    try:
        codes = parse_currencies(currencies)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--currencies") from None
    with console.status(f"Generating {scale:,} opportunities up to {end}…"):
        counts = generate(out, scale=scale, seed=seed, end_date=end, currencies=codes)
    table = Table(title=f"Sample export written to {out}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


class Grain(StrEnum):
    weekly = "weekly"
    monthly = "monthly"


@app.command()
def publish(
    grain: Annotated[Grain, typer.Argument(help="weekly (ISO weeks) or monthly.")],
    period: Annotated[str | None, typer.Option(help="2026-W47 or 2026-11 (default: the last closed one).")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (SALES_WAREHOUSE).")] = None,
    publish_dir: Annotated[Path | None, typer.Option(help="Output folder (SALES_PUBLISH_DIR).")] = None,
    all_periods: Annotated[
        bool, typer.Option("--all", help="Every closed period that holds data, as one backfill run.")
    ] = False,
) -> None:
    """Freeze closed periods' scorecards into snapshots and data/published/<grain>/<period>/."""
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
        with err.status(f"Publishing {grain.value} {what}…"), quiet_stdout(paths.warehouse) as log:
            job = f"publish_{grain.value}_snapshot_job"
            result = run_job(job, partition_range=keys) if all_periods else run_job(job, partition_key=keys)
    except RunFailed as failure:
        err.print(f"[bold red]Nothing was published.[/] {failure} (Run log: {log}.)")
        raise typer.Exit(code=1) from None
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        new, unchanged = metadata["new_versions"].value, metadata["unchanged"].value
        if all_periods:
            console.print(f"{grain.value} {what}: {len(new)} new versions, {len(unchanged)} unchanged.")
            break
        state = f"new version {new[0]}" if new else f"unchanged ({unchanged[0]} is current)"
        if new and not new[0].endswith("-v1"):
            state += f", {metadata['restated_kpis'].value[0]} KPI values restated (snapshots.restatements)"
        console.print(f"{grain.value} {what}: {state} → {metadata['folders'].value[0]}")


def _use_mapping(mapping: Path | None) -> None:
    """--mapping wins over SALES_MAPPING; a mapping that cannot be read stops here, naming file and line."""
    import os

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


@app.command()
def validate(
    paths: Annotated[
        list[Path], typer.Argument(help="Export files or folders (a folder is read like `run --inbox FOLDER`).")
    ],
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping file (YAML), as `run --mapping` (default SALES_MAPPING).")
    ] = None,
) -> None:
    """Per file, what `run` would do with it (read by which mapping and key, or ignored and why), and the audit
    of what it would read, without loading anything: what would be rejected or quarantined, and why."""
    import os

    from rich.markup import escape

    from pipelines.lib.ingest.mapping.claims import ClaimConflict
    from pipelines.lib.ingest.mapping.load import MappingError
    from pipelines.lib.ingest.mapping.validate import validate_paths

    _use_mapping(mapping)
    chosen = os.environ.get("SALES_MAPPING")
    try:
        with console.status("Auditing…"):
            reports = validate_paths(paths, Path(chosen) if chosen else None, inbox=resolve_paths().inbox)
    except (MappingError, ClaimConflict) as problem:
        err.print(f"[bold red]The mapping cannot be used.[/] {escape(str(problem))}")
        raise typer.Exit(code=2) from None
    for report in reports:
        ignored, read_as = getattr(report, "ignored", None), getattr(report, "read_as", None)
        if ignored:
            console.print(f"[yellow]– ignored[/] {escape(str(report.path))}: {escape(ignored)}")
            continue
        if getattr(report, "lookup_only", None):
            console.print(f"– lookup {escape(str(report.path))}: {escape(report.lookup_only)}")
            continue
        if report.refusal:
            err.print(f"[bold red]✗ rejected[/] {escape(report.refusal)}")
            continue
        verdict = report.verdict
        mark = "[green]✓ accepted[/]" if verdict.accepted else "[bold red]✗ rejected[/]"
        what = f"{report.object}, {read_as}" if read_as else report.object
        console.print(
            f"{mark} {escape(str(report.path))} ({escape(str(what))}): {verdict.rows + verdict.malformed:,} rows, "
            f"{verdict.quarantined_rows:,} would be quarantined ({verdict.share:.1%})"
        )
        for problem in verdict.problems:
            err.print(f"  {escape(problem)}")
        for warning in verdict.warnings:
            console.print(f"  [yellow]warning:[/] {escape(warning)}")
        if report.examples:
            table = Table("line", "rule", "offending value", title="Quarantined rows (first of each rule)")
            for line, rule, value in report.examples:
                table.add_row(str(line), rule, "–" if value is None else escape(value))
            console.print(table)
    if not all(report.ok for report in reports):
        raise typer.Exit(code=1)


@app.command()
def run(
    inbox: Annotated[Path | None, typer.Option(help="Inbox folder (SALES_INBOX).")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (SALES_WAREHOUSE).")] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping file (YAML) for exports of another shape (SALES_MAPPING).")
    ] = None,
) -> None:
    """Ingest every new export, build and test the marts, then print the KPI summary."""
    from pipelines.cli.runner import RunFailed, refresh_warehouse
    from pipelines.cli.summary import last_closed_month, quarantine_counts, summary_tables

    paths = resolve_paths(inbox=inbox, warehouse=warehouse)
    export_paths(paths)
    _use_mapping(mapping)
    try:
        with err.status(f"Running the pipeline on {paths.inbox}…"), quiet_stdout(paths.warehouse) as log:
            refresh_warehouse()
    except RunFailed as failure:
        err.print(run_failure_paragraph(failure, log), markup=False, highlight=False)
        raise typer.Exit(code=1) from None

    summary = last_closed_month(paths.warehouse)
    if summary is None:
        console.print("The marts hold no closed month yet: add exports to the inbox and run again.")
        return
    for table in summary_tables(summary, width=console.width):
        console.print(table)
    console.print(f"Warehouse: {paths.warehouse} (schemas raw, staging, intermediate, marts)")
    quarantined = quarantine_counts(paths.warehouse)
    if quarantined:
        where = ", ".join(f"{rows:,} in quarantine.{table}" for table, rows in quarantined)
        console.print(f"[yellow]Quarantined rows (not counted in any metric):[/] {where}.")
    else:
        console.print("No rows quarantined.")
    from pipelines.lib.ingest.mapping.notices import unplaced_campaigns

    undated = unplaced_campaigns(paths.warehouse)
    if undated:
        console.print(f"[yellow]Spend in no period:[/] {undated}")


@app.command()
def sql(warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (SALES_WAREHOUSE).")] = None) -> None:
    """Open the analysts' copy (data/analytics.duckdb) read-only in the DuckDB shell, its schemas described."""
    from pipelines.cli.sql_shell import ShellUnavailable, open_shell

    try:
        open_shell(resolve_paths(warehouse=warehouse).warehouse)
    except ShellUnavailable as problem:
        err.print(f"[bold red]Cannot open the SQL shell.[/] {problem}")
        raise typer.Exit(code=2) from None
