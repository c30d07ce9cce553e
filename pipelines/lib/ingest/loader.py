"""Land export files in DuckDB through its own CSV reader, with lineage, for the audit to judge.

Write-audit-publish: a new file lands in ``landing.<table>`` (status ``pending`` in the ingest log); the
audit moves its good rows to ``raw.<table>`` and its bad ones to ``quarantine.<table>``, or rejects it
whole. Lines DuckDB cannot split into the header's columns go to quarantine straight away, with their
line number. A file whose checksum was already loaded (and not rejected) is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib.config import load_ingest_config
from pipelines.lib.ingest.checksums import file_checksum, sha256_of
from pipelines.lib.ingest.csv_problems import (
    duckdb_cause,
    oversized_line,
    quoting_problem,
    too_many_columns,
    unreadable_because,
)
from pipelines.lib.ingest.files import FileRejected, ends_mid_record, move_to_rejected
from pipelines.lib.ingest.salesforce import ExportObject
from pipelines.lib.ingest.transcode import as_utf8
from pipelines.lib.warehouse import (
    INGEST_LOG,
    add_columns,
    ensure_tables,
    quarantine_table,
    transaction,
    uncompressed,
)

SNIFF_OPTIONS = "all_varchar = true, header = true, ignore_errors = true"
# A Salesforce Data Export may write every empty field as the quoted spreadsheet literal "#N/A": no value.
DATA_EXPORT_NULLS: tuple[str, ...] = ("", "#N/A")
READ_OPTIONS = (
    f"{SNIFF_OPTIONS}, store_rejects = true, rejects_table = '_rejected_lines', rejects_scan = '_rejected_scans'"
)


def csv_options(base: str, pins: dict[str, str] | None) -> str:
    """``base`` with a mapping's pins (delim, header, names, skip) replacing or adding read_csv options."""
    if not pins:
        return base
    kept = [o for o in base.split(", ") if o.split(" = ")[0] not in pins]
    return ", ".join([*kept, *(f"{k} = {v}" for k, v in pins.items())])


@dataclass(frozen=True)
class LoadResult:
    file: Path
    sha256: str
    rows: int  # rows landed for the audit
    malformed: int  # lines quarantined because they did not split into the header's columns
    skipped: bool
    encoding: str = "utf-8"
    notes: tuple[str, ...] = ()  # what reading it took: line breaks made one kind, footer or title lines left out


def already_loaded(con: duckdb.DuckDBPyConnection, obj: ExportObject, sha256: str) -> bool:
    found = con.execute(
        f"select count(*) from {INGEST_LOG} where object = ? and sha256 = ? and status <> 'rejected'",
        [obj.name, sha256],
    ).fetchone()
    return bool(found and found[0])


def _header(
    con: duckdb.DuckDBPyConnection, path: Path, readable: Path, pins: dict[str, str] | None = None
) -> list[str]:
    try:
        described = con.execute(
            f"describe select * from read_csv(?, {csv_options(SNIFF_OPTIONS, pins)})", [str(readable)]
        ).fetchall()
    except duckdb.Error as exc:
        says = str(exc)
        why = oversized_line(readable, says) or unreadable_because(readable, duckdb_cause(says))
        raise FileRejected(path, *why) from exc
    return [row[0] for row in described]


def check_header(path: Path, obj: ExportObject, columns: list[str]) -> None:
    missing = [c for c in obj.required if c not in columns]
    if not missing:
        return
    if len(columns) == 1 and not any(d in columns[0] for d in ",;\t|"):
        problem = (
            f"line 1 reads as a single column ({columns[0][:60]!r}) without a comma, semicolon, tab or pipe in "
            f"it, so the columns {', '.join(missing)} cannot be found: the file uses another delimiter or is no CSV."
        )
        fix = "Export again as CSV with one of those delimiters."
    else:
        problem = (
            f"this {obj.name} export has no column {', '.join(missing)} (the header has "
            f"{', '.join(columns[:10])}{', …' if len(columns) > 10 else ''})."
        )
        fix = (
            "Export the object with its API field names (Data Export); if the file is not a Salesforce export, "
            "claim it with a mapping (a mapping.yml beside it whose pattern matches its name)."
        )
    raise FileRejected(path, problem, fix, line=1)


def land_file(
    con: duckdb.DuckDBPyConnection,
    obj: ExportObject,
    path: Path,
    cache_dir: Path,
    pins: dict[str, str] | None = None,
    lines_before_data: int = 1,
    encoding: str | None = None,
    null_text: tuple[str, ...] = DATA_EXPORT_NULLS,
) -> LoadResult:
    """Land one file in ``landing.<obj.table>`` (pending audit); raise FileRejected when it is unloadable.

    ``_source_line`` is the file line of the record (the header is line 1): rows DuckDB could not split
    are counted back in, so lines after a malformed one keep their true number. A mapping (pipelines.lib.
    ingest.mapping) passes ``pins`` (read_csv options it fixes: delim, header, names, skip), the number of lines
    before the first record (header and skipped rows), its pinned ``encoding`` and ``null_text`` ("": its
    own null tokens apply later); a Data Export file reads ``#N/A`` as no value. A report's title block is
    skipped and its footer left out (``notes`` say so); mixed line breaks are read as one kind.
    """
    ensure_tables(con, obj)
    checksum = file_checksum(con, path)
    if already_loaded(con, obj, checksum):
        return LoadResult(file=path, sha256=checksum, rows=0, malformed=0, skipped=True)

    pins = dict(pins or {})
    delimiter = pins["delim"][1:-1].replace("''", "'") if "delim" in pins else None
    title = "skip" not in pins and pins.get("header") != "false"
    text = as_utf8(path, cache_dir, checksum, encoding, delimiter, title)
    if text.title_lines:
        pins["skip"] = str(text.title_lines)
        lines_before_data += text.title_lines
    nulls = "[" + ", ".join("'" + t.replace("'", "''") + "'" for t in null_text) + "]"
    read_options = f"{READ_OPTIONS}, nullstr = {nulls}"
    wide = too_many_columns(text.readable, load_ingest_config().max_columns, text.title_lines, delimiter)
    if wide:  # refused at once, before DuckDB sniffs (or landing grows by) thousands of columns
        raise FileRejected(path, *wide)
    columns = _header(con, path, text.readable, pins)
    if len(columns) > 1 and all(len(c) > 1 and c.startswith('"') and c.endswith('"') for c in columns):
        raise FileRejected(path, *quoting_problem(text.readable, columns))
    check_header(path, obj, columns)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    select_columns = ", ".join(f'"{c}"' for c in columns)
    con.execute("drop table if exists _rejected_lines; drop table if exists _rejected_scans")
    with transaction(con):
        # Only landing, and with the rows: a file refused here or by the audit leaves no column behind.
        add_columns(con, f'landing."{obj.table}"', columns)
        # One pass: the file's rows go straight to landing (the transaction takes them back if it is refused),
        # uncompressed: the audit moves them to raw, where they are compressed once.
        with uncompressed(con):
            rows = con.execute(
                f'insert into landing."{obj.table}" by name '
                f"select {select_columns}, ? as _source_file, ? as _source_sha256, "
                f"ordinality + {int(lines_before_data)} as _source_line, ? as _loaded_at "
                f"from read_csv(?, {csv_options(read_options, pins)}) with ordinality",
                [str(path), checksum, loaded_at, str(text.readable)],
            ).fetchone()[0]
        malformed = con.execute("select count(distinct line) from _rejected_lines").fetchone()[0]
        if rows == 0 and malformed == 0:
            raise FileRejected(path, "the file has a header but no rows.", "Export the object again with its records.")
        if malformed and ends_mid_record(text.readable) and _last_line_cut(con, rows + malformed):
            raise FileRejected(
                path,
                "it ends in the middle of a record: the export or its copy was cut short.",
                "Export the object again and copy the whole file.",
                line=rows + malformed + 1,
            )
        if malformed:  # a record's line is its row number past the lines before the data and the malformed
            # lines before it: shift the rows after each malformed line (only then, it is a second pass)
            con.execute(
                f'update landing."{obj.table}" as l set _source_line = l._source_line + coalesce(('
                f"select max(s.skipped) from ({_skipped_before(lines_before_data)}) s "
                f"where s.accepted_before < l._source_line - {int(lines_before_data)}), 0) "
                "where l._source_sha256 = ? and l._loaded_at = ?",
                [checksum, loaded_at],
            )
        con.execute(
            f"insert into {quarantine_table(obj)} (_source_file, _source_sha256, _source_line, rule, "
            "column_name, offending_value, record, quarantined_at) "
            "select ?, ?, line, 'malformed_row', null, any_value(error_type::varchar), any_value(csv_line), ? "
            "from _rejected_lines group by line",
            [str(path), checksum, loaded_at],
        )
        con.execute(
            f"insert into {INGEST_LOG} values (?, ?, ?, ?, ?, ?, ?, 'pending', null)",
            [obj.name, obj.table, str(path), checksum, rows, malformed, loaded_at],
        )
    return LoadResult(path, checksum, rows, malformed, skipped=False, encoding=text.encoding, notes=text.notes)


# For each run of malformed lines: how many accepted rows precede it and how many lines were skipped so
# far; the rows after a malformed line are shifted past the malformed lines before them.
def _skipped_before(lines_before_data: int = 1) -> str:
    return _SKIPPED_BEFORE.replace("line - 1 -", f"line - {int(lines_before_data)} -")


_SKIPPED_BEFORE = """
    select accepted_before, max(i) as skipped from (
        select line - 1 - row_number() over (order by line) as accepted_before,
               row_number() over (order by line) as i
        from (select distinct line from _rejected_lines)
    ) group by accepted_before
"""


def _last_line_cut(con: duckdb.DuckDBPyConnection, data_lines: int) -> bool:
    """The last line was refused for having too few fields (a record cut short), not too many."""
    last = con.execute(
        "select line, bool_and(error_type::varchar <> 'TOO MANY COLUMNS') from _rejected_lines "
        "group by line order by line desc limit 1"
    ).fetchone()
    return last is not None and last[0] >= data_lines + 1 and bool(last[1])


def record_rejection(
    con: duckdb.DuckDBPyConnection, obj: ExportObject, refusal: FileRejected, rejected_dir: Path | None
) -> str:
    """Log a refused file, move it to the rejected folder with its reason; return the message for people."""
    checksum = sha256_of(refusal.path) if refusal.path.exists() else None
    moved = move_to_rejected(refusal.path, rejected_dir, str(refusal))
    where = f"The file was moved to {moved} (reason beside it); n" if moved else "N"
    message = f"{refusal} {where}othing from it was loaded."
    con.execute(
        f"insert into {INGEST_LOG} values (?, ?, ?, ?, 0, 0, ?, 'rejected', ?)",
        [obj.name, obj.table, str(refusal.path), checksum, datetime.now(UTC).replace(tzinfo=None), message],
    )
    return message
