"""Reading a mapped file into DuckDB: a .xlsx sheet as CSV, the read_csv options a mapping pins, and the scratch
tables a file and its lookups land in before the mapped insert (dropped however the landing ends)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.lib.ingest.checksums import sha256_of
from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.mapping.schema import EntityBlock, FileSpec
from pipelines.lib.ingest.salesforce import LINEAGE_COLUMNS, ExportObject
from pipelines.lib.ingest.transcode import as_utf8
from pipelines.lib.ingest.xlsx import SheetCsv, expand_sheets, first_table
from pipelines.lib.warehouse import INGEST_LOG

PLACEHOLDER = "_mapping_file_columns_follow"


def scratch_object(entity: str) -> ExportObject:
    return ExportObject(
        name=f"_mapping__{entity}", table=f"_mapping__{entity}", columns=(PLACEHOLDER,), required=(), description=""
    )


def drop_scratch(con: duckdb.DuckDBPyConnection, scratch: ExportObject) -> None:
    for schema in ("landing", "raw", "quarantine"):
        con.execute(f'drop table if exists {schema}."{scratch.table}"')
    con.execute(f"delete from {INGEST_LOG} where object = ?", [scratch.name])


@contextmanager
def scratch_tables(con: duckdb.DuckDBPyConnection, entity: str, block: EntityBlock) -> Iterator[ExportObject]:
    """The scratch object ``entity``'s file lands in; it, the unpivoted table and the lookups' scratch tables are
    dropped when the block ends, however it ends."""
    scratch = scratch_object(entity)
    drop_scratch(con, scratch)
    try:
        yield scratch
    finally:
        drop_scratch(con, scratch)
        con.execute("drop table if exists _mapping_unpivoted")
        for position in range(len(block.columns)):
            drop_scratch(con, scratch_object(f"{entity}_lookup{position}"))


def landed_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    """The file's own columns of a landed scratch table (no lineage, no placeholder)."""
    return [r[0] for r in con.execute(f"describe {relation}").fetchall() if r[0] not in (*LINEAGE_COLUMNS, PLACEHOLDER)]


def file_pins(spec: FileSpec) -> tuple[dict[str, str], int]:
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


def readable_sheet(path: Path, spec: FileSpec, work_dir: Path, wanted: Sequence[str] = ()) -> SheetCsv | None:
    """The sheet of a .xlsx file that is read, as CSV (expand_sheets): the pinned ``sheet``, else the first whose
    header has every name of ``wanted`` (the mapping's ``recognise`` headers of the file key), else the first with
    a table; None for any other file. A mapping that pins skip_rows or header: false reads the sheet as written."""
    if path.suffix.lower() != ".xlsx":
        return None
    sheets = expand_sheets(path, work_dir, layout=spec.header and not spec.skip_rows, wanted=wanted)
    if spec.sheet is None:
        return first_table(sheets)
    found = next((s for s in sheets if s.name == spec.sheet), None)
    if found is None:
        raise FileRejected(
            path,
            f"the workbook has no sheet {spec.sheet!r} (it has {', '.join(s.name for s in sheets)}).",
            "Pin an existing sheet.",
        )
    return found


def readable_file(path: Path, spec: FileSpec, work_dir: Path) -> Path:
    """A .xlsx sheet as CSV (readable_sheet); any other file as itself."""
    sheet = readable_sheet(path, spec, work_dir)
    return path if sheet is None else sheet.path


def restore_sheet_rows(con: duckdb.DuckDBPyConnection, relation: str, sheet: SheetCsv) -> None:
    """Give a landed sheet's records their sheet row as ``_source_line`` again where rows between the header and
    them were left out (total or blank rows): each record moves down past the rows left out above it."""
    if not sheet.left_out:
        return
    # for the i-th row left out: how many records come before it
    shifts = [(row - sheet.header_row - 1 - (i - 1), i) for i, row in enumerate(sheet.left_out, 1)]
    values = ", ".join(f"({before}, {i})" for before, i in shifts)
    con.execute(
        f"update {relation} as l set _source_line = l._source_line + coalesce((select max(s.i) from (values {values}) "
        f"s(before, i) where s.before < l._source_line - {int(sheet.header_row)}), 0)"
    )


def sniffed_delimiter(
    con: duckdb.DuckDBPyConnection, path: Path, cache_dir: Path, checksum: str, encoding: str | None = None
) -> str:
    """The delimiter DuckDB's sniffer chose (for the metadata); the UTF-8 copy of a transcoded file is cached."""
    try:
        key = sha256_of(path) if path.suffix.lower() == ".xlsx" else checksum
        readable = as_utf8(path, cache_dir, key, encoding).readable
        return con.execute("select Delimiter from sniff_csv(?)", [str(readable)]).fetchone()[0]
    except (duckdb.Error, FileRejected, OSError):
        return "auto"
