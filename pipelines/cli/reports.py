"""What `salesmetrics validate` prints per file: read (and the audit's verdict), ignored and why, or rejected."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

# The audit's paragraph for a run points at the quarantine table; validate loads nothing, so it points below.
_SEE_QUARANTINE = re.compile(r"See quarantine\.\S+ for each line and rule")
_SEE_BELOW = "The first line of each rule is listed below"


def print_reports(reports: Sequence[object], console: Console, err: Console) -> bool:
    """Print every report; True when everything read would be accepted."""
    for report in reports:
        ignored, read_as = getattr(report, "ignored", None), getattr(report, "read_as", None)
        if ignored:
            console.print(f"[yellow]– ignored[/] {escape(str(report.path))}: {escape(ignored)}")
            continue
        if getattr(report, "lookup_only", None):
            console.print(f"– lookup {escape(str(report.path))}: {escape(report.lookup_only)}")
            continue
        if report.refusal:
            err.print(f"[bold red]✗ rejected[/] {escape(_SEE_QUARANTINE.sub(_SEE_BELOW, report.refusal))}")
            continue
        verdict = report.verdict
        mark = "[green]✓ accepted[/]" if verdict.accepted else "[bold red]✗ rejected[/]"
        what = f"{report.object}, {read_as}" if read_as else report.object
        console.print(
            f"{mark} {escape(str(report.path))} ({escape(str(what))}): {verdict.rows + verdict.malformed:,} rows, "
            f"{verdict.quarantined_rows:,} would be quarantined ({verdict.share:.1%})"
        )
        for problem in verdict.problems:
            err.print(f"  {escape(_SEE_QUARANTINE.sub(_SEE_BELOW, problem))}")
        for warning in verdict.warnings:
            console.print(f"  [yellow]warning:[/] {escape(warning)}")
        if report.examples:
            table = Table("line", "rule", "offending value", title="Quarantined rows (first of each rule)")
            for line, rule, value in report.examples:
                table.add_row(str(line), rule, "–" if value is None else escape(value))
            console.print(table)
    return all(report.ok for report in reports)


def print_run_summary(console: Console, warehouse: Path, inbox: Path | None = None) -> None:
    """The last closed month's scorecard and teams, where the warehouse is, and what was held back."""
    from pipelines.cli.nothing_read import nothing_read
    from pipelines.cli.summary import last_closed_month, quarantine_counts, summary_tables
    from pipelines.lib.ingest.mapping.notices import unplaced_campaigns
    from pipelines.lib.ingest.mapping.product_notice import products_missing_from_catalogue

    summary = last_closed_month(warehouse)
    if summary is None:
        why = nothing_read(inbox) if inbox is not None else None
        if why:
            console.print(f"[yellow]The marts hold no closed month:[/] {escape(why)}")
        else:
            console.print("The marts hold no closed month yet: add exports to the inbox and run again.")
        return
    for table in summary_tables(summary, width=console.width):
        console.print(table)
    console.print(f"Warehouse: {warehouse} (schemas raw, staging, intermediate, marts)")
    quarantined = quarantine_counts(warehouse)
    if quarantined:
        where = ", ".join(f"{rows:,} in quarantine.{table}" for table, rows in quarantined)
        console.print(f"[yellow]Quarantined rows (not counted in any metric):[/] {where}.")
    else:
        console.print("No rows quarantined.")
    undated = unplaced_campaigns(warehouse)
    if undated:
        console.print(f"[yellow]Spend in no period:[/] {undated}")
    missing = products_missing_from_catalogue(warehouse)
    if missing:
        console.print(f"[yellow]Products not in the catalogue:[/] {escape(missing)}")


def print_publication(console: Console, result: object, what: str, *, every: bool) -> None:
    """What a publish run froze: the new or unchanged version and the page to open (a backfill: the counts)."""
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        new, unchanged = metadata["new_versions"].value, metadata["unchanged"].value
        if every:
            console.print(f"{what}: {len(new)} new versions, {len(unchanged)} unchanged.")
            console.print(f"Open {metadata['index_page'].value} (every publication, newest first).")
            return
        state = f"new version {new[0]}" if new else f"unchanged ({unchanged[0]} is current)"
        if new and not new[0].endswith("-v1"):
            state += f", {metadata['restated_kpis'].value[0]} KPI values restated (snapshots.restatements)"
        console.print(f"{what}: {state} → {metadata['folders'].value[0]}")
        console.print(f"Open the dashboard page: {metadata['pages'].value[0]}")
