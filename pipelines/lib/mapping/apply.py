"""Apply a mapping to one file: land it as text (pipelines.lib.loader), then one insert … select of the mapped
expressions into ``landing.canonical__<entity>``, pending the same audit as every other export.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib import formats
from pipelines.lib.files import FileRejected
from pipelines.lib.loader import already_loaded, land_file, sha256_of
from pipelines.lib.mapping.load import LoadedMapping, MappingError
from pipelines.lib.mapping.schema import EntityBlock, FileSpec
from pipelines.lib.mapping.sql import block_select, columns_parsed_as, quote
from pipelines.lib.salesforce import LINEAGE_COLUMNS, ExportObject
from pipelines.lib.warehouse import INGEST_LOG, ensure_tables, quarantine_table

SAMPLE_VALUES = 500
PLACEHOLDER = "_mapping_file_columns_follow"


@dataclass(frozen=True)
class MappedFile:
    """A file of the inbox claimed by one file key of a mapping, and how the mapping was found."""

    path: Path
    loaded: LoadedMapping
    key: str
    found_by: str  # "--mapping", "inbox mapping file", "recognised built-in source"


@dataclass
class MappedResult:
    file: Path
    sha256: str
    rows: int = 0
    malformed: int = 0
    skipped: bool = False
    encoding: str = "utf-8"
    detected: dict[str, str] = field(default_factory=dict)


def _scratch(entity: str) -> ExportObject:
    return ExportObject(
        name=f"_mapping__{entity}", table=f"_mapping__{entity}", columns=(PLACEHOLDER,), required=(), description=""
    )


def _drop_scratch(con: duckdb.DuckDBPyConnection, scratch: ExportObject) -> None:
    for schema in ("landing", "raw", "quarantine"):
        con.execute(f'drop table if exists {schema}."{scratch.table}"')
    con.execute(f"delete from {INGEST_LOG} where object = ?", [scratch.name])


def _pins(spec: FileSpec) -> tuple[dict[str, str], int]:
    pins: dict[str, str] = {}
    if spec.delimiter:
        pins["delim"] = "'" + spec.delimiter.replace("'", "''") + "'"
    if not spec.header:
        pins["header"] = "false"
        if spec.columns:
            pins["names"] = "[" + ", ".join("'" + c.replace("'", "''") + "'" for c in spec.columns) + "]"
    if spec.skip_rows:
        pins["skip"] = str(spec.skip_rows)
    return pins, spec.skip_rows + (1 if spec.header else 0)


def _readable(path: Path, spec: FileSpec, work_dir: Path) -> Path:
    """A .xlsx sheet as CSV (formats.expand_xlsx); any other file as itself."""
    if path.suffix.lower() != ".xlsx":
        return path
    sheets = formats.expand_xlsx(path, work_dir)
    if spec.sheet is None:
        return next(iter(sheets.values()))
    if spec.sheet not in sheets:
        raise FileRejected(
            path, f"the workbook has no sheet {spec.sheet!r} (it has {', '.join(sheets)}).", "Pin an existing sheet."
        )
    return sheets[spec.sheet]


def _samples(con: duckdb.DuckDBPyConnection, relation: str, columns: set[str]) -> list[str]:
    values: list[str] = []
    for column in sorted(columns):
        rows = con.execute(
            f"select {quote(column)} from {relation} where nullif(trim({quote(column)}), '') is not null "
            f"limit {SAMPLE_VALUES}"
        ).fetchall()
        values.extend(str(r[0]) for r in rows)
    return values


def land_mapped(
    con: duckdb.DuckDBPyConnection, obj: ExportObject, entity: str, mapped: MappedFile, block: EntityBlock, index: int,
    cache_dir: Path,
) -> MappedResult:  # fmt: skip
    """Land ``mapped.path`` through ``block`` into ``landing.<obj.table>`` (status pending in the ingest log)."""
    loaded, spec = mapped.loaded, mapped.loaded.mapping.files[mapped.key]
    where = ("entities", entity, index) if isinstance(loaded.mapping.entities[entity], list) else ("entities", entity)
    ensure_tables(con, obj)
    checksum = sha256_of(mapped.path)
    if already_loaded(con, obj, checksum):
        return MappedResult(mapped.path, checksum, skipped=True)
    scratch = _scratch(entity)
    _drop_scratch(con, scratch)
    readable = _readable(mapped.path, spec, cache_dir / "xlsx" / checksum)
    pins, lines_before = _pins(spec)
    encoding = spec.encoding if readable == mapped.path else None  # a sheet's CSV is UTF-8 whatever the pin
    try:
        landed = land_file(con, scratch, readable, cache_dir, pins, lines_before, encoding, null_text=("",))
        relation = f'landing."{scratch.table}"'
        header = [
            r[0] for r in con.execute(f"describe {relation}").fetchall() if r[0] not in (*LINEAGE_COLUMNS, PLACEHOLDER)
        ]
        header, relation = _unpivot(con, loaded, mapped.key, spec, header, relation)
        lookups = _land_lookups(con, mapped, block, entity, where, cache_dir)
        items, condition = block_select(loaded, entity, block, header, where, lookups)
        numbers, dates = columns_parsed_as(block, entity, header)
        number = (
            formats.NumberFormat(spec.decimal, spec.thousands)
            if spec.decimal
            else formats.detect_number_format(_samples(con, relation, numbers))
        )
        date_format = (
            spec.date_format
            if spec.date_format and spec.date_format != "auto"
            else formats.detect_date_format(_samples(con, relation, dates))
        )
        null_tokens = tuple(spec.null_tokens) if spec.null_tokens is not None else formats.NULL_TOKENS
        for statement in formats.macro_sql(number, date_format, null_tokens):
            con.execute(statement)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        con.execute("begin transaction")
        try:
            inserted = con.execute(
                f'insert into landing."{obj.table}" by name select {", ".join(items)}, ? as _source_name, '
                f"? as _source_file, ? as _source_sha256, {'min(_source_line)' if block.distinct else '_source_line'} "
                f"as _source_line, ? as _loaded_at from {relation}{f' where {condition}' if condition else ''}"
                f"{' group by all' if block.distinct else ''}",
                [loaded.source, str(mapped.path), checksum, loaded_at],
            ).fetchone()[0]
            con.execute(
                f"insert into {quarantine_table(obj)} select * replace (? as _source_file, ? as _source_sha256) "
                f"from {quarantine_table(scratch)}",
                [str(mapped.path), checksum],
            )
            con.execute(
                f"insert into {INGEST_LOG} values (?, ?, ?, ?, ?, ?, ?, 'pending', null)",
                [obj.name, obj.table, str(mapped.path), checksum, inserted, landed.malformed, loaded_at],
            )
            con.execute("commit")
        except duckdb.Error as exc:
            con.execute("rollback")
            raise loaded.error(
                f"applying the mapping to {mapped.path} failed: {str(exc).splitlines()[0]}. "
                "Check the expressions of this entity (use num(), d(), dt(), txt() to parse text).",
                *where,
            ) from exc
    finally:
        _drop_scratch(con, scratch)
        con.execute("drop table if exists _mapping_unpivoted")
        for position in range(len(block.columns)):
            _drop_scratch(con, _scratch(f"{entity}_lookup{position}"))
    delimiter = spec.delimiter or _sniffed_delimiter(con, readable, cache_dir, checksum, encoding)
    detected = formats.Detected(landed.encoding, delimiter, number, date_format, null_tokens).as_metadata()
    if landed.notes:
        detected["layout"] = "; ".join(landed.notes)  # e.g. "3 footer lines after line 15 ignored (…)"
    return MappedResult(mapped.path, checksum, inserted, landed.malformed, encoding=landed.encoding, detected=detected)


def _sniffed_delimiter(
    con: duckdb.DuckDBPyConnection, path: Path, cache_dir: Path, checksum: str, encoding: str | None = None
) -> str:
    """The delimiter DuckDB's sniffer chose (for the metadata); the UTF-8 copy of a transcoded file is cached."""
    from pipelines.lib.files import as_utf8

    try:
        key = sha256_of(path) if path.suffix.lower() == ".xlsx" else checksum
        readable = as_utf8(path, cache_dir, key, encoding).readable
        return con.execute("select Delimiter from sniff_csv(?)", [str(readable)]).fetchone()[0]
    except (duckdb.Error, FileRejected, OSError):
        return "auto"


def _land_lookups(
    con: duckdb.DuckDBPyConnection,
    mapped: MappedFile,
    block: EntityBlock,
    entity: str,
    where: tuple,
    cache_dir: Path,
) -> dict[str, tuple[str, list[str]]]:
    """Land each file a ``lookup`` reads (found beside the mapped file); canonical column → (table, columns)."""
    loaded, found = mapped.loaded, {}
    for index, (name, source) in enumerate(block.columns.items()):
        lookup = getattr(source, "lookup", None)
        if lookup is None:
            continue
        at = (*where, "columns", name, "lookup", "from")
        spec = loaded.mapping.files.get(lookup.from_)
        if spec is None:
            raise loaded.error(f"lookup reads {lookup.from_!r}, which is not a key of files.", *at)
        folders = [mapped.path.parent, loaded.path.parent]
        path = next(
            (
                p
                for folder in folders
                for p in sorted(folder.rglob("*"))
                if p.is_file() and _matches(spec.pattern, p, folder)
            ),
            None,
        )
        if path is None:
            raise loaded.error(f"lookup file {spec.pattern!r} is not beside {mapped.path}.", *at)
        scratch = _scratch(f"{entity}_lookup{index}")
        _drop_scratch(con, scratch)
        pins, lines_before = _pins(spec)
        lookup_file = _readable(path, spec, cache_dir / "xlsx" / "lookup")
        encoding = spec.encoding if lookup_file == path else None
        land_file(con, scratch, lookup_file, cache_dir, pins, lines_before, encoding, null_text=("",))
        table = f'landing."{scratch.table}"'
        columns = [
            r[0] for r in con.execute(f"describe {table}").fetchall() if r[0] not in (*LINEAGE_COLUMNS, PLACEHOLDER)
        ]
        found[name] = (table, columns)
    return found


def _unpivot(
    con: duckdb.DuckDBPyConnection, loaded: LoadedMapping, key: str, spec: FileSpec, header: list[str], relation: str
) -> tuple[list[str], str]:
    if spec.unpivot is None:
        return header, relation
    wanted = spec.unpivot.columns
    if isinstance(wanted, str):
        chosen = [c for c in header if fnmatch.fnmatch(c.lower(), wanted.lower())]
    else:
        lowered = {c.lower(): c for c in header}
        missing = [c for c in wanted if c.lower() not in lowered]
        if missing:
            raise loaded.error(
                f"unpivot columns {', '.join(missing)} are not in the file (its columns are {', '.join(header)}).",
                "files", key, "unpivot", "columns",
            )  # fmt: skip
        chosen = [lowered[c.lower()] for c in wanted]
    if not chosen:
        raise loaded.error(f"unpivot columns {wanted!r} match no column of the file ({', '.join(header)}).",
                           "files", key, "unpivot")  # fmt: skip
    name, value = spec.unpivot.name, spec.unpivot.value
    con.execute(
        f"create or replace temp table _mapping_unpivoted as unpivot {relation} "
        f"on {', '.join(quote(c) for c in chosen)} into name {quote(name)} value {quote(value)}"
    )
    return [*(c for c in header if c not in chosen), name, value], "_mapping_unpivoted"


# ------------------------------------------------------------------------------------------- discovery

MAPPING_NAMES = ("mapping.yml", "mapping.yaml")


def is_mapping_file(path: Path) -> bool:
    name = path.name.lower()
    return name in MAPPING_NAMES or name.endswith((".mapping.yml", ".mapping.yaml"))


def _matches(pattern: str, path: Path, folder: Path) -> bool:
    pattern = pattern.lower()
    relative = path.relative_to(folder).as_posix().lower() if path.is_relative_to(folder) else path.name.lower()
    return fnmatch.fnmatch(path.name.lower(), pattern) or fnmatch.fnmatch(relative, pattern)


def _claim(loaded: LoadedMapping, files: list[Path], folder: Path, found_by: str) -> list[MappedFile]:
    claimed = []
    for path in files:
        for key, spec in loaded.mapping.files.items():
            if _matches(spec.pattern, path, folder):
                claimed.append(MappedFile(path, loaded, key, found_by))
                break
    return claimed


def _first_line_headers(path: Path) -> list[str]:
    from pipelines.lib.files import header_fields

    if path.suffix.lower() == ".xlsx":  # the first row of the first sheet (HubSpot exports .xlsx by default)
        from python_calamine import CalamineWorkbook

        try:
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()
            return [str(h).strip() for h in next(rows, [])]
        except Exception:  # an unreadable workbook is reported when it is landed, not here
            return []
    return header_fields(path)  # the header line, below a report's title block if there is one


def discover(
    inbox: Path, mapping_file: Path | None, builtins: list[LoadedMapping], is_salesforce: object
) -> list[MappedFile]:
    """Files of the inbox and the mapping that reads each: (b) a mapping.yml in the file's folder,
    (a) the mapping given by --mapping / SALES_MAPPING, (c) a built-in whose ``recognise`` headers match.
    Files of the Salesforce Data Export (``is_salesforce(name)``) stay on that path."""
    if not inbox.exists():
        return []
    candidates = sorted(
        p
        for p in inbox.rglob("*")
        if p.is_file() and p.suffix.lower() in (".csv", ".txt", ".tsv", ".xlsx") and not is_salesforce(p.name)  # type: ignore[operator]
    )
    claimed: dict[Path, MappedFile] = {}
    for yml in sorted(p for p in inbox.rglob("*") if p.is_file() and is_mapping_file(p)):
        from pipelines.lib.mapping.load import load_mapping

        loaded = load_mapping(yml)
        inside = [p for p in candidates if p.is_relative_to(yml.parent) and p not in claimed]
        for mapped in _claim(loaded, inside, yml.parent, "inbox mapping file"):
            claimed[mapped.path] = mapped
    if mapping_file is not None:
        from pipelines.lib.mapping.load import load_mapping

        loaded = load_mapping(mapping_file)
        rest = [p for p in candidates if p not in claimed]
        for mapped in _claim(loaded, rest, inbox, "--mapping"):
            claimed[mapped.path] = mapped
    if builtins:
        for path in candidates:
            if path in claimed:
                continue
            found = formats.recognise(_first_line_headers(path), builtins)
            if found:
                claimed[path] = MappedFile(path, found[0], found[1], "recognised built-in source")
    return [claimed[p] for p in sorted(claimed)]


def load_builtins(folder: Path) -> list[LoadedMapping]:
    from pipelines.lib.mapping.load import load_mapping

    if not folder.is_dir():
        return []
    return [load_mapping(p) for p in sorted(folder.glob("*.yml"))]


__all__ = ["MappedFile", "MappedResult", "MappingError", "discover", "land_mapped", "load_builtins"]
