"""Apply a mapping to one file: land it as text (pipelines.lib.ingest.loader), then one insert … select of the mapped
expressions into ``landing.canonical__<entity>``, pending the same audit as every other export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib.ingest.checksums import file_checksum
from pipelines.lib.ingest.dates import detect_date_format
from pipelines.lib.ingest.loader import already_loaded, land_file
from pipelines.lib.ingest.macros import Detected, macro_sql
from pipelines.lib.ingest.mapping.claims import MappedFile
from pipelines.lib.ingest.mapping.load import MappingError
from pipelines.lib.ingest.mapping.lookups import land_lookups, unpivot
from pipelines.lib.ingest.mapping.mixed_currencies import refuse_mixed_currencies
from pipelines.lib.ingest.mapping.reading import (
    file_pins,
    landed_columns,
    readable_sheet,
    restore_sheet_rows,
    scratch_tables,
    sniffed_delimiter,
)
from pipelines.lib.ingest.mapping.schema import EntityBlock, FileSpec
from pipelines.lib.ingest.mapping.sql import block_select, columns_parsed_as, group_by_clause, quote
from pipelines.lib.ingest.mapping.undecided import refuse_undecided_points
from pipelines.lib.ingest.numbers import NumberFormat, detect_number_format
from pipelines.lib.ingest.salesforce import ExportObject
from pipelines.lib.ingest.tokens import NULL_TOKENS
from pipelines.lib.ingest.xlsx import SheetCsv
from pipelines.lib.warehouse import INGEST_LOG, ensure_tables, quarantine_table, transaction, uncompressed

SAMPLE_VALUES = 500


@dataclass
class MappedResult:
    file: Path
    sha256: str
    rows: int = 0
    malformed: int = 0
    skipped: bool = False
    encoding: str = "utf-8"
    detected: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Formats:
    """How the file writes numbers, dates and nulls: pinned by the mapping, else detected from samples."""

    number: NumberFormat
    date_format: str | None
    null_tokens: tuple[str, ...]


def _samples(con: duckdb.DuckDBPyConnection, relation: str, columns: set[str]) -> list[str]:
    values: list[str] = []
    for column in sorted(columns):
        rows = con.execute(
            f"select {quote(column)} from {relation} where nullif(trim({quote(column)}), '') is not null "
            f"limit {SAMPLE_VALUES}"
        ).fetchall()
        values.extend(str(r[0]) for r in rows)
    return values


# A slash or dot date whose first (second) part is above 12 can only be day-first (month-first): a few of each,
# from anywhere in the file, join the head's samples, so a file sorted by date whose first rows are all ambiguous
# (1..12 of a month) is still read the way its later rows show.
_DECIDING = (r"^(1[3-9]|2\d|3[01])[/.]\d{1,2}[/.]\d{4}", r"^\d{1,2}[/.](1[3-9]|2\d|3[01])[/.]\d{4}")


def _deciding_samples(
    con: duckdb.DuckDBPyConnection, relation: str, columns: set[str], patterns: tuple[str, ...]
) -> list[str]:
    """The head's samples of ``columns``, and up to 50 values of each matching each of ``patterns`` from anywhere."""
    values = _samples(con, relation, columns)
    for column in sorted(columns):
        for pattern in patterns:
            rows = con.execute(
                f"select {quote(column)} from {relation} where regexp_matches(trim({quote(column)}), ?) limit 50",
                [pattern],
            ).fetchall()
            values.extend(str(r[0]) for r in rows)
    return values


# A number that shows its decimal separator: one of . or , followed by 1-2 or 4+ digits (12,5 · 1.234,50 · 0.12345),
# or one repeated in threes (1.234.567: the other is the decimal). A few of each, from anywhere in the column, join
# the head's samples: a file whose first 500 amounts are whole numbers (1500) and later ones 1.234,50 is read
# comma-decimal, not the English way that turns its 2.000 (two thousand) into 2.
_DECIDING_NUMBERS = tuple(
    rf"\d{re.escape(sep)}(\d{{1,2}}|\d{{4,}})(\D|$)|\d{re.escape(sep)}\d{{3}}{re.escape(sep)}\d"
    rf"|(^|[^\d.,])0{re.escape(sep)}\d{{3}}(\D|$)"  # 0.125: a leading zero groups no thousands
    for sep in ".,"
)


def _formats(
    con: duckdb.DuckDBPyConnection,
    spec: FileSpec,
    relation: str,
    numbers: set[str],
    dates: set[str],
    mapped: MappedFile,
) -> _Formats:
    """The file's formats, installed as the DuckDB macros its mapped expressions call (num, d, dt, txt)."""
    if spec.decimal:
        number = NumberFormat(spec.decimal, spec.thousands)
    else:
        samples = _deciding_samples(con, relation, numbers, _DECIDING_NUMBERS)
        refuse_undecided_points(con, mapped, relation, numbers, samples)
        number = detect_number_format(samples)
    date_format = (
        spec.date_format
        if spec.date_format and spec.date_format != "auto"
        else detect_date_format(_deciding_samples(con, relation, dates, _DECIDING))
    )
    null_tokens = tuple(spec.null_tokens) if spec.null_tokens is not None else NULL_TOKENS
    for statement in macro_sql(number, date_format, null_tokens):
        con.execute(statement)
    return _Formats(number, date_format, null_tokens)


def _sheet_hint(sheet: SheetCsv, mapped: MappedFile) -> str:
    """Where a workbook's columns were read from, and how to point the mapping at the real header."""
    return (
        f"The columns are the header of sheet {sheet.name!r} of {mapped.path.name}, its row {sheet.header_row}. If "
        "the real header is further down (labels above it that are not merged cells), pin skip_rows (the rows "
        f"above the header) under files.{mapped.key}; if it is on another sheet, pin sheet."
    )


def land_mapped(
    con: duckdb.DuckDBPyConnection,
    mapped: MappedFile,
    *,
    obj: ExportObject,
    entity: str,
    block: EntityBlock,
    index: int,
    cache_dir: Path,
) -> MappedResult:
    """Land ``mapped.path`` through ``block`` (the ``index``-th block of ``entity``) into ``landing.<obj.table>``
    (status pending in the ingest log)."""
    loaded, spec = mapped.loaded, mapped.loaded.mapping.files[mapped.key]
    where = ("entities", entity, index) if isinstance(loaded.mapping.entities[entity], list) else ("entities", entity)
    ensure_tables(con, obj)
    checksum = file_checksum(con, mapped.path)
    if already_loaded(con, obj, checksum):
        return MappedResult(mapped.path, checksum, skipped=True)
    wanted = (loaded.recognise or {}).get(mapped.key, ())
    sheet = readable_sheet(mapped.path, spec, cache_dir / "xlsx" / checksum, wanted)
    readable = mapped.path if sheet is None else sheet.path
    pins, lines_before = file_pins(spec)
    encoding = spec.encoding if sheet is None else None  # a sheet's CSV is UTF-8 whatever the pin
    if sheet is not None:  # the CSV starts at the sheet's header: its lines keep their sheet row numbers
        lines_before += sheet.header_row - 1
    with scratch_tables(con, entity, block) as scratch:
        landed = land_file(con, scratch, readable, cache_dir, pins, lines_before, encoding, null_text=("",))
        relation = f'landing."{scratch.table}"'
        if sheet is not None:
            restore_sheet_rows(con, relation, sheet)
        header, relation = unpivot(con, loaded, mapped.key, spec, landed_columns(con, relation), relation)
        lookups = land_lookups(con, mapped, block, entity, where, cache_dir)
        try:
            items, condition = block_select(loaded, entity, block, header, where, lookups)
        except MappingError as exc:
            if sheet is None or "is not in the file" not in exc.problem:
                raise
            raise MappingError(exc.path, f"{exc.problem} {_sheet_hint(sheet, mapped)}", exc.line) from exc
        grouped = group_by_clause(loaded, entity, block, header, where)  # one row per group, at its first line
        numbers, dates = columns_parsed_as(block, entity, header)
        formats = _formats(con, spec, relation, numbers, dates, mapped)
        if "currency" not in block.columns:
            refuse_mixed_currencies(con, mapped.path, relation, numbers, "_source_line")
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        try:
            with transaction(con):
                with uncompressed(con):  # landing's rows wait for the audit, compressed once in raw
                    inserted = con.execute(
                        f'insert into landing."{obj.table}" by name select {", ".join(items)}, ? as _source_name, '
                        f"? as _source_file, ? as _source_sha256, {'min(_source_line)' if grouped else '_source_line'} "
                        f"as _source_line, ? as _loaded_at from {relation}{f' where {condition}' if condition else ''}"
                        f"{grouped}",
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
        except duckdb.Error as exc:
            raise loaded.error(
                f"applying the mapping to {mapped.path} failed: {str(exc).splitlines()[0]}. "
                "Check the expressions of this entity (use num(), d(), dt(), txt() to parse text).",
                *where,
            ) from exc
    delimiter = spec.delimiter or sniffed_delimiter(con, readable, cache_dir, checksum, encoding)
    detected = Detected(landed.encoding, delimiter, formats.number, formats.date_format, formats.null_tokens)
    metadata = detected.as_metadata()
    notes = list(landed.notes)
    if sheet is not None and sheet.notes:  # e.g. "sheet 'Report': 5 rows above the header (row 6) skipped (…)"
        notes.insert(0, f"sheet {sheet.name!r}: " + "; ".join(sheet.notes))
    if notes:
        metadata["layout"] = "; ".join(notes)  # e.g. "3 footer lines after line 15 ignored (…)"
    return MappedResult(mapped.path, checksum, inserted, landed.malformed, encoding=landed.encoding, detected=metadata)
