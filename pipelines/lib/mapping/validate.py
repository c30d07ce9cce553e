"""`salesmetrics validate --mapping FILE files…`: mapped landing and canonical audit in a throwaway warehouse."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from pipelines.lib.audit.validate import FileReport
from pipelines.lib.audit.verdict import audit_pending
from pipelines.lib.canonical import ENTITIES, canonical_object
from pipelines.lib.config import AuditConfig, load_audit_config
from pipelines.lib.files import FileRejected
from pipelines.lib.mapping.apply import MappedFile, _matches, land_mapped
from pipelines.lib.mapping.load import MappingError, load_mapping
from pipelines.lib.warehouse import quarantine_table


def validate_mapped(
    paths: list[Path], mapping: Path, config: AuditConfig | None = None, examples: int = 5
) -> list[FileReport]:
    """One report per (file, entity the mapping feeds from it); entities in canonical order (parents first)."""
    config = config or load_audit_config()
    loaded = load_mapping(mapping)
    reports: list[FileReport] = []
    with tempfile.TemporaryDirectory(prefix="salesmetrics-validate-") as scratch:
        database = str(Path(scratch) / "validate.duckdb")
        for path in paths:
            key = next((k for k, s in loaded.mapping.files.items() if _matches(s.pattern, path, path.parent)), None)
            if key is None or not path.is_file():
                why = "no such file" if not path.is_file() else f"it matches no file pattern of {mapping}"
                reports.append(FileReport(path, None, refusal=f"{path}: {why}."))
                continue
            for entity in ENTITIES:
                for index, block in enumerate(loaded.mapping.blocks(entity)):
                    if block.from_ != key:
                        continue
                    obj = canonical_object(entity)
                    report = FileReport(path, entity)
                    reports.append(report)
                    with duckdb.connect(database) as con:
                        try:
                            land_mapped(con, obj, entity, MappedFile(path, loaded, key, "--mapping"), block, index,
                                        Path(scratch) / "cache")  # fmt: skip
                        except (FileRejected, MappingError) as refusal:
                            report.refusal = str(refusal)
                            continue
                    [report.verdict] = audit_pending(database, obj, config, rejected_dir=None)
                    with duckdb.connect(database, read_only=True) as con:
                        report.examples = con.execute(
                            f"select _source_line, rule, offending_value from (select *, row_number() over "
                            f"(partition by rule order by _source_line) as n from {quarantine_table(obj)} "
                            "where _source_sha256 = ?) where n <= ? order by rule, _source_line",
                            [report.verdict.sha256, examples],
                        ).fetchall()
    return reports
