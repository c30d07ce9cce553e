"""Audit: a blocking Great Expectations suite on every ingested object; nothing downstream runs on failure."""

import json
from typing import TYPE_CHECKING

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import WAREHOUSE_POOL, InboxResource
from pipelines.lib.audit.pending import has_pending
from pipelines.lib.config import load_audit_config
from pipelines.lib.ingest.canonical import CANONICAL_OBJECTS
from pipelines.lib.ingest.salesforce import ALL_OBJECTS, ExportObject
from pipelines.lib.warehouse import quarantine_table

if TYPE_CHECKING:
    from pipelines.lib.audit.verdict import FileVerdict


def _plain(value: object) -> object:
    """Dates and decimals in GX's examples, as JSON the UI can show."""
    return json.loads(json.dumps(value, default=str))


def _file_metadata(verdict: "FileVerdict") -> dict:
    return {
        "rows": verdict.rows,
        "quarantined_rows": verdict.quarantined_rows,
        "quarantined_share": round(verdict.share, 6),
        "quarantined_by_rule": verdict.by_rule,
        "failing_examples": _plain({rule: rows[:5] for rule, rows in verdict.examples.items()}),
        "decision": "accepted" if verdict.accepted else f"rejected, moved to {verdict.moved_to}",
        "problems": verdict.problems,
        "warnings": verdict.warnings,
    }


QUARANTINE_SAMPLE = 20


def _quarantine_metadata(warehouse: DuckDBResource, obj: ExportObject, hashes: list[str]) -> dict[str, object]:
    """Where the quarantined rows are (the table, and the query for these files) and the first of them."""
    table = f"quarantine.{obj.table}"
    where = f"_source_sha256 in ({', '.join(repr(h) for h in hashes)})" if hashes else "false"
    query = f"select * from {table} where {where} order by _source_file, _source_line"
    rows = []
    if hashes:  # else nothing was judged: no rows to show, and no need to open the warehouse (~35 ms)
        with warehouse.get_connection() as con:
            rows = con.execute(
                f"select _source_file, _source_line, rule, column_name, offending_value from {quarantine_table(obj)} "
                f"where {where} order by _source_file, _source_line limit {QUARANTINE_SAMPLE}"
            ).fetchall()
    columns = [("file", "string"), ("line", "int"), ("rule", "string"), ("column", "string"), ("value", "string")]
    return {
        "quarantine_table": dg.MetadataValue.text(table),
        "quarantine_query": dg.MetadataValue.md(
            f"```sql\n{query};\n```\nOpen the warehouse with `duckdb -readonly {warehouse.database}`."
        ),
        "warehouse": dg.MetadataValue.path(str(warehouse.database)),
        "quarantined_rows_sample": dg.MetadataValue.table(
            records=[dg.TableRecord(dict(zip([c for c, _ in columns], row, strict=True))) for row in rows],
            schema=dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind in columns]),
        ),
    }


def build_audit_check(obj: ExportObject) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", obj.table]),
        name=f"{obj.table}__passes_audit",
        blocking=True,
        pool=WAREHOUSE_POOL,
        description=(
            f"Runs the {obj.name} suite (Great Expectations on DuckDB) on every newly landed file: ids "
            "present and unique, dates parseable and in range, amounts non-negative, known stages, close "
            "not before create, references resolvable, row count not collapsing. Failing rows go to "
            f"quarantine.{obj.table}; a file above the quarantine threshold or failing a file rule is "
            "rejected whole and the run stops before transform."
        ),
    )
    def _check(warehouse: DuckDBResource, inbox: InboxResource) -> dg.AssetCheckResult:
        verdicts: list[FileVerdict] = []
        if has_pending(warehouse.database, obj):
            # Imported only with a file to judge: Great Expectations takes seconds to import, and loading the
            # definitions for a publication or the UI, or a check with nothing landed, does not need it.
            from pipelines.lib.audit.verdict import audit_pending

            verdicts = audit_pending(warehouse.database, obj, load_audit_config(), inbox.rejected_dir)
        rejected = [v for v in verdicts if not v.accepted]
        summary = {
            "files_audited": len(verdicts),
            "files_rejected": len(rejected),
            "rows_accepted": sum(v.rows - v.quarantined_rows + v.malformed for v in verdicts if v.accepted),
            "rows_quarantined": sum(v.quarantined_rows for v in verdicts),
        }
        return dg.AssetCheckResult(
            passed=not rejected,
            severity=dg.AssetCheckSeverity.ERROR,
            description=" ".join(f"{v.file} was rejected: {' '.join(v.problems)}" for v in rejected) or None,
            metadata={
                **summary,
                **_quarantine_metadata(warehouse, obj, [v.sha256 for v in verdicts]),
                "files": {v.file: _file_metadata(v) for v in verdicts},
            },
        )

    return _check


audit_checks = [build_audit_check(obj) for obj in (*ALL_OBJECTS, *CANONICAL_OBJECTS)]
