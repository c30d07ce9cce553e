"""Audit files without loading them: the same landing and suite, in a throwaway warehouse, nothing moved."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.lib.audit.verdict import FileVerdict, audit_pending
from pipelines.lib.config import AuditConfig, load_audit_config
from pipelines.lib.duckdb_settings import connect
from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.loader import land_file
from pipelines.lib.ingest.salesforce import ALL_OBJECTS, ExportObject
from pipelines.lib.warehouse import quarantine_table


@dataclass
class FileReport:
    path: Path
    object: str | None
    verdict: FileVerdict | None = None
    refusal: str | None = None  # file-level rejection, or why the file was not recognised
    examples: list[tuple[int, str, str | None]] = field(default_factory=list)  # (line, rule, value)

    @property
    def ok(self) -> bool:
        return self.refusal is None and self.verdict is not None and self.verdict.accepted


def object_for(path: Path) -> ExportObject | None:
    return next((obj for obj in ALL_OBJECTS if obj.matches(path.name)), None)


def validate_files(
    paths: list[Path],
    config: AuditConfig | None = None,
    examples: int = 5,
    objects: dict[Path, ExportObject] | None = None,
) -> list[FileReport]:
    """Parents first (Account before Opportunity), so references between the given files resolve. ``objects``:
    the object of each file as the run decided it (pipelines.lib.ingest.mapping.discover.plan); default: by file
    name."""
    config = config or load_audit_config()
    order = {obj.name: i for i, obj in enumerate(ALL_OBJECTS)}
    chosen = {path: (objects or {}).get(path) or object_for(path) for path in paths}
    reports = [FileReport(path, obj.name if (obj := chosen[path]) else None) for path in paths]
    with tempfile.TemporaryDirectory(prefix="salesmetrics-validate-") as scratch:
        database = str(Path(scratch) / "validate.duckdb")
        for report in sorted(reports, key=lambda r: order.get(r.object or "", -1)):
            obj = chosen[report.path]
            if obj is None:
                names = ", ".join(o.file_name for o in ALL_OBJECTS)
                report.refusal = f"{report.path}: the file name matches no known export ({names})."
                continue
            if not report.path.is_file():
                report.refusal = f"{report.path}: no such file."
                continue
            with connect(database) as con:
                try:
                    land_file(con, obj, report.path, Path(scratch) / "cache")
                except FileRejected as refusal:
                    report.refusal = str(refusal)
                    continue
            [report.verdict] = audit_pending(database, obj, config, rejected_dir=None)
            report.examples = quarantine_examples(database, obj, report.verdict.sha256, examples)
    return reports


def quarantine_examples(database: str, obj: ExportObject, sha256: str, examples: int) -> list[tuple]:
    """The first ``examples`` quarantined lines of each rule for one file: (line, rule, offending value)."""
    with connect(database, read_only=True) as con:
        return con.execute(
            f"select _source_line, rule, offending_value from (select *, row_number() over "
            f"(partition by rule order by _source_line) as n from {quarantine_table(obj)} "
            "where _source_sha256 = ?) where n <= ? order by rule, _source_line",
            [sha256, examples],
        ).fetchall()
