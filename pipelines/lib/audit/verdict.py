"""Judge landed files: run the suite with GX, quarantine failing rows, then accept into raw or reject whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib.audit.currency import RATES_TABLE, build_rates_table
from pipelines.lib.audit.failing_sql import failing_sql
from pipelines.lib.audit.gx_duckdb import validate_table
from pipelines.lib.audit.pending import pending_files
from pipelines.lib.audit.rules import Rule, Spec, q, reference_rules, row_count_rule, row_rules
from pipelines.lib.audit.specs import SPECS
from pipelines.lib.audit.typed_view import typed_columns, unresolved_columns
from pipelines.lib.config import AuditConfig, load_publish_config
from pipelines.lib.duckdb_settings import connect
from pipelines.lib.ingest.files import move_to_rejected
from pipelines.lib.ingest.salesforce import ExportObject, by_name
from pipelines.lib.warehouse import INGEST_LOG, add_columns, drop_landing_only_columns, quarantine_table


@dataclass
class FileVerdict:
    file: str
    sha256: str
    rows: int
    malformed: int
    quarantined_rows: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    gx_unexpected: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # reasons to reject the file whole
    warnings: list[str] = field(default_factory=list)
    moved_to: str | None = None

    @property
    def accepted(self) -> bool:
        return not self.problems

    @property
    def share(self) -> float:
        total = self.rows + self.malformed
        return self.quarantined_rows / total if total else 0.0


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def audit_pending(
    database: str, obj: ExportObject, config: AuditConfig, rejected_dir: Path | None
) -> list[FileVerdict]:
    """Judge every landed file of ``obj``, oldest first, on one connection: the typed table, GX's queries, the
    quarantine and the verdict all run on it (each new open of the warehouse file read its catalog again and
    checkpointed on close)."""
    verdicts = []
    with connect(database) as con:
        for source_file, sha256, rows, malformed in pending_files(con, obj):
            verdict = FileVerdict(source_file, sha256, rows, malformed)
            try:
                _judge(con, obj, config, verdict)
                if verdict.accepted:
                    _accept(con, obj, verdict)
                else:
                    _reject(con, obj, verdict, rejected_dir)
            finally:
                con.execute(f"drop table if exists {_audit_table(obj)}")
                con.execute(f'drop table if exists main."audit__{obj.table}"')  # left by an older version
                con.execute(f"drop table if exists {RATES_TABLE}")
            verdicts.append(verdict)
    return verdicts


def _audit_table(obj: ExportObject) -> str:
    return f'temp."audit__{obj.table}"'


def spec_for(obj: ExportObject) -> Spec:
    """The Salesforce object's suite, or a canonical entity's (pipelines/lib/ingest/canonical.py) for mapped exports."""
    if obj.name in SPECS:
        return SPECS[obj.name]
    from pipelines.lib.ingest.canonical import CANONICAL_SPECS

    return CANONICAL_SPECS[obj.name]


def _judge(con: duckdb.DuckDBPyConnection, obj: ExportObject, config: AuditConfig, verdict: FileVerdict) -> None:
    spec = spec_for(obj)
    view = _audit_table(obj)
    present = {r[0] for r in con.execute(f'describe landing."{obj.table}"').fetchall()}
    if set(spec.converts) & present:
        build_rates_table(con, load_publish_config().reporting_currency)
    parents = {
        parent: by_name(parent).table for parent in spec.references.values() if _has_rows(con, by_name(parent).table)
    }
    # The file's rows typed once, in memory (a temp table; beyond the memory limit DuckDB spills it): the lineage,
    # every column a rule reads and each reference looked up once. GX's queries and the quarantine run on it; the
    # landed text stays in landing, and quarantine takes each record from there.
    items = [
        "_source_line",
        "_source_sha256",
        *typed_columns(spec, present),
        *unresolved_columns(spec, present, parents),
    ]
    con.execute(
        f'create or replace temp table "audit__{obj.table}" as select {", ".join(items)} '
        f'from landing."{obj.table}" where _source_sha256 = ?',
        [verdict.sha256],
    )
    previous = con.execute(
        f"select rows from {INGEST_LOG} where object = ? and status = 'accepted' order by loaded_at desc limit 1",
        [obj.name],
    ).fetchone()
    rules = row_rules(spec, present, config, view)
    count_rule = row_count_rule(previous[0] if previous else None, config)
    references = reference_rules(spec, present, parents)
    expectations = [r.expectation for r in rules] + list(references.values()) + ([count_rule] if count_rule else [])
    result = validate_table(con, f"audit__{obj.table}", expectations)
    outcomes = dict(zip([id(e) for e in expectations], result.results, strict=True))

    for rule in rules:
        outcome = outcomes[id(rule.expectation)]
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            verdict.problems.append(f"rule {rule.name} could not run: {outcome.exception_info['exception_message']}")
        elif not outcome.success:
            verdict.gx_unexpected[rule.name] = int(outcome.result.get("unexpected_count") or 0)
            verdict.examples[rule.name] = outcome.result.get("partial_unexpected_index_list") or []
    for column, expectation in references.items():
        outcome = outcomes[id(expectation)]
        unresolved = int(outcome.result.get("unexpected_count") or 0)
        if unresolved:
            share = unresolved / max(verdict.rows, 1)
            message = f"{unresolved:,} rows ({share:.1%}) have a {column} found in no {spec.references[column]} export"
            if share > config.unresolved_reference_max_share:
                verdict.problems.append(
                    f"{message}, above the {config.unresolved_reference_max_share:.0%} allowed "
                    "(audit.unresolved_reference_max_share): export the referenced object too."
                )
            else:
                verdict.warnings.append(message)
    if count_rule is not None and not outcomes[id(count_rule)].success:
        verdict.problems.append(
            f"it has {verdict.rows:,} rows where the previous accepted export had {previous[0]:,}: a partial "
            f"export? (audit.row_count_min_ratio = {config.row_count_min_ratio}). Export the whole object, or "
            "lower the ratio for incremental exports."
        )
    _quarantine(con, obj, verdict, [r for r in rules if r.name in verdict.gx_unexpected], view)
    if verdict.share > config.quarantine_max_share:
        counts = ", ".join(f"{name} {n:,}" for name, n in sorted(verdict.by_rule.items()))
        verdict.problems.append(
            f"{verdict.quarantined_rows:,} of {verdict.rows + verdict.malformed:,} rows ({verdict.share:.1%}) "
            f"break a rule ({counts}), above the {config.quarantine_max_share:.0%} allowed "
            "(audit.quarantine_max_share). See quarantine."
            f"{obj.table} for each line and rule, fix the export and drop it in again."
        )


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema in ('raw', 'landing') and table_name = ?",
        [table],
    ).fetchone()[0]
    if exists < 2:
        return False
    return bool(
        con.execute(
            f"select exists(select 1 from raw.{q(table)}) or exists(select 1 from landing.{q(table)})"
        ).fetchone()[0]
    )


def _quarantine(
    con: duckdb.DuckDBPyConnection, obj: ExportObject, verdict: FileVerdict, failed: list[Rule], view: str
) -> None:
    """Each failed rule's rows: those its expectation counts as unexpected (the view holds one file)."""
    for rule in failed:
        inserted = con.execute(
            f"insert into {quarantine_table(obj)} (_source_file, _source_sha256, _source_line, rule, "
            "column_name, offending_value, record, quarantined_at) "
            f"select l._source_file, l._source_sha256, l._source_line, ?, ?, {rule.value_sql}, "
            f"to_json(l)::varchar, ? from landing.{q(obj.table)} l "
            f"join (select * from {view} where {failing_sql(rule.expectation, view)}) v "
            "on v._source_line = l._source_line and v._source_sha256 = l._source_sha256",
            [rule.name, rule.column, now()],
        ).fetchone()
        verdict.by_rule[rule.name] = int(inserted[0]) if inserted else 0
    if verdict.malformed:
        verdict.by_rule["malformed_row"] = verdict.malformed
    verdict.quarantined_rows = con.execute(
        f"select count(distinct _source_line) from {quarantine_table(obj)} where _source_sha256 = ?",
        [verdict.sha256],
    ).fetchone()[0]


def _accept(con: duckdb.DuckDBPyConnection, obj: ExportObject, verdict: FileVerdict) -> None:
    table = q(obj.table)
    con.execute("begin transaction")
    landed = [row[0] for row in con.execute(f"describe landing.{table}").fetchall()]
    add_columns(con, f"raw.{table}", landed)  # a field this export brought joins raw only now, accepted
    con.execute(
        f"insert into raw.{table} by name select * from landing.{table} l where l._source_sha256 = ? "
        f"and l._source_line not in (select _source_line from {quarantine_table(obj)} where _source_sha256 = ?)",
        [verdict.sha256, verdict.sha256],
    )
    con.execute(f"delete from landing.{table} where _source_sha256 = ?", [verdict.sha256])
    con.execute(
        f"update {INGEST_LOG} set status = 'accepted', reason = ? "
        "where object = ? and sha256 = ? and status = 'pending'",
        [
            f"{verdict.quarantined_rows} rows quarantined" if verdict.quarantined_rows else None,
            obj.name,
            verdict.sha256,
        ],
    )
    con.execute("commit")


def _reject(con: duckdb.DuckDBPyConnection, obj: ExportObject, verdict: FileVerdict, rejected_dir: Path | None) -> None:
    reason = f"{verdict.file} was rejected: " + " ".join(verdict.problems)
    con.execute("begin transaction")
    con.execute(f"delete from landing.{q(obj.table)} where _source_sha256 = ?", [verdict.sha256])
    con.execute(
        f"update {INGEST_LOG} set status = 'rejected', reason = ? "
        "where object = ? and sha256 = ? and status = 'pending'",
        [reason, obj.name, verdict.sha256],
    )
    con.execute("commit")
    drop_landing_only_columns(con, obj)  # the fields only this file brought go with it (DuckDB: after the delete)
    moved = move_to_rejected(Path(verdict.file), rejected_dir, reason)
    verdict.moved_to = str(moved) if moved else None
