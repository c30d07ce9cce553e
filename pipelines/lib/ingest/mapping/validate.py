"""`salesmetrics validate [--mapping FILE] FILE|FOLDER…`: per file, what `run` would do with it, and the audit
of what it would read, in a throwaway warehouse (nothing moves).

The decision which file is read by which mapping and key, and which is ignored and why, is the run's own
(pipelines.lib.ingest.mapping.discover.plan). A folder is judged as `run --inbox FOLDER` would judge it; a file inside
the inbox (SALES_INBOX) as part of the inbox, a file elsewhere as if its folder were the inbox.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.audit.validate import FileReport, quarantine_examples, validate_files
from pipelines.lib.audit.verdict import audit_pending
from pipelines.lib.config import AuditConfig, load_audit_config
from pipelines.lib.duckdb_settings import connect
from pipelines.lib.ingest.canonical import ENTITIES, canonical_object
from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.mapping.apply import land_mapped
from pipelines.lib.ingest.mapping.claims import Conflict, MappedFile
from pipelines.lib.ingest.mapping.discover import BUILTIN_MAPPINGS, Ignored, Plan, load_builtins, plan
from pipelines.lib.ingest.mapping.exports import ExportFile
from pipelines.lib.ingest.mapping.load import MappingError


@dataclass
class ValidateReport(FileReport):
    read_as: str | None = None  # "read as 'orders' of m.yml (inbox mapping file)"
    ignored: str | None = None  # why a run does not read the file
    lookup_only: str | None = None  # a file read only through `lookup` by other files' blocks

    @property
    def ok(self) -> bool:
        return self.ignored is not None or self.lookup_only is not None or super().ok


def _inbox_for(path: Path, inbox: Path | None) -> Path:
    if path.is_dir():
        return path
    if inbox is not None and path.resolve().is_relative_to(inbox.resolve()):
        return inbox
    return path.parent


def validate_paths(
    paths: list[Path],
    mapping: Path | None,
    inbox: Path | None = None,
    config: AuditConfig | None = None,
    examples: int = 5,
) -> list[FileReport]:
    """One report per file and entity it feeds; a file or folder that does not exist is one refusal."""
    config = config or load_audit_config()
    builtins = load_builtins(BUILTIN_MAPPINGS)
    plans: dict[Path, Plan] = {}
    wanted: list[tuple[Path, Plan]] = []
    reports: list[FileReport] = []
    for path in paths:
        if not path.exists():
            reports.append(ValidateReport(path, None, refusal=f"{path}: no such file or folder."))
            continue
        root = _inbox_for(path, inbox)
        if root not in plans:
            plans[root] = plan(root, mapping, builtins)
        found = plans[root]
        if path.is_dir():
            inside = [
                *(f.path for f in found.salesforce),
                *(m.path for m in found.read),
                *(i.path for i in found.ignored),
            ]
            inside += [p for c in found.conflicts for p in c.paths]
            wanted.extend((p, found) for p in sorted(set(inside)) if p.is_relative_to(path))
        else:
            wanted.append((path, found))
    salesforce: dict[Path, ExportFile] = {}
    mapped: list[MappedFile] = []
    for path, found in wanted:
        decision = found.decision(path)
        if isinstance(decision, ExportFile):
            salesforce[path] = decision
        elif isinstance(decision, Conflict):
            reports.append(ValidateReport(path, None, refusal=f"{path}: a run stops here. {decision.message}"))
        elif isinstance(decision, Ignored):
            reports.append(ValidateReport(path, None, ignored=decision.reason))
        elif isinstance(decision, MappedFile):
            mapped.append(decision)
        else:
            reason = "it is not a .csv, .txt, .tsv or .xlsx file, so a run does not read it."
            reports.append(ValidateReport(path, None, ignored=reason))
    if salesforce:
        reports.extend(validate_files(list(salesforce), config, examples, {p: f.obj for p, f in salesforce.items()}))
    reports.extend(_validate_mapped(mapped, config, examples))
    order = {p: i for i, (p, _) in enumerate(wanted)}
    return sorted(reports, key=lambda r: order.get(r.path, -1))


def _validate_mapped(files: list[MappedFile], config: AuditConfig, examples: int) -> list[FileReport]:
    """Entities in canonical order (parents first), files in landing order, one throwaway warehouse."""
    reports: list[FileReport] = []
    with tempfile.TemporaryDirectory(prefix="salesmetrics-validate-") as scratch:
        database = str(Path(scratch) / "validate.duckdb")
        for entity in ENTITIES:
            obj = canonical_object(entity)
            for mapped in files:
                for index, block in enumerate(mapped.loaded.mapping.blocks(entity)):
                    if block.from_ != mapped.key:
                        continue
                    read_as = f"read as {mapped.key!r} of {mapped.loaded.path} ({mapped.found_by})"
                    report = ValidateReport(mapped.path, entity, read_as=read_as)
                    reports.append(report)
                    with connect(database) as con:
                        try:
                            land_mapped(
                                con,
                                mapped,
                                obj=obj,
                                entity=entity,
                                block=block,
                                index=index,
                                cache_dir=Path(scratch) / "cache",
                            )
                        except (FileRejected, MappingError) as refusal:
                            report.refusal = str(refusal)
                            continue
                    [report.verdict] = audit_pending(database, obj, config, rejected_dir=None)
                    report.examples = quarantine_examples(database, obj, report.verdict.sha256, examples)
    files_without_blocks = [m for m in files if not any(r.path == m.path for r in reports)]
    for mapped in files_without_blocks:
        lookups = [
            name
            for entity in ENTITIES
            for block in mapped.loaded.mapping.blocks(entity)
            for name, source in block.columns.items()
            if getattr(getattr(source, "lookup", None), "from_", None) == mapped.key
        ]
        if lookups:
            note = (
                f"read as {mapped.key!r} of {mapped.loaded.path} only to look up {', '.join(sorted(set(lookups)))} "
                "(no entity lands its rows)."
            )
            reports.append(ValidateReport(mapped.path, None, lookup_only=note))
            continue
        reason = f"{mapped.loaded.path} names it as {mapped.key!r}, but no entity reads from {mapped.key!r}."
        reports.append(ValidateReport(mapped.path, None, ignored=reason))
    return reports
