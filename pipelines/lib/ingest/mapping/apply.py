"""Apply a mapping to one file: land it as text (pipelines.lib.ingest.loader), then one insert … select of the mapped
expressions into ``landing.canonical__<entity>``, pending the same audit as every other export.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib.ingest import formats
from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.loader import already_loaded, land_file, sha256_of
from pipelines.lib.ingest.mapping.load import LoadedMapping, MappingError
from pipelines.lib.ingest.mapping.schema import EntityBlock, FileSpec
from pipelines.lib.ingest.mapping.sql import block_select, columns_parsed_as, group_by_clause, quote
from pipelines.lib.ingest.salesforce import ALL_OBJECTS, LINEAGE_COLUMNS, ExportObject
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
    anchor: Path | None = None  # the folder its patterns are relative to (default: the mapping's folder)


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
        grouped = group_by_clause(loaded, entity, block, header, where)  # one row per group, at its first line
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
    from pipelines.lib.ingest.files import as_utf8

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
        anchor = mapped.anchor or loaded.path.parent  # the same anchor as the mapped file's own pattern
        path = next((p for p in sorted(anchor.rglob("*")) if p.is_file() and _matches(spec.pattern, p, anchor)), None)
        if path is None:
            raise loaded.error(
                f"lookup file {spec.pattern!r} (relative to {anchor}) is not there; {mapped.path} needs it.", *at
            )
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
#
# One decision, made here for `run` (the canonical ingest assets) and `validate` alike: which inbox file is
# read by which mapping and file key, in which order, and why every other file is ignored.
#
# - Patterns are relative to the mapping's anchor folder and match the file's whole path below it:
#   `orders.csv` reads <anchor>/orders.csv only, never a copy in a sub-folder; `*` and `?` stay within one
#   folder, `**/` crosses folders (`**/orders.csv`, `*/deals.csv`). The anchor of a mapping.yml /
#   *.mapping.yml of the inbox is its folder; the anchor of `--mapping` is its folder when the file lies in
#   the inbox, else the inbox root.
# - A file is read by the nearest inbox mapping file whose pattern matches it, else by --mapping (a claim by
#   a pattern wins over everything below, also over a name like Opportunity_lines.csv); else it is a Salesforce
#   Data Export object (or targets/benchmarks/fixed_costs) when its name is the object's (Opportunity.csv,
#   opportunity_2026-06-30.csv) and its header has every required column of the object; else by a built-in
#   source that recognises its header line; else, with the object's name, it is still that object when its
#   header cannot be judged (empty, binary, one column) or has the Salesforce shape (at least EXPORT_SHAPE of
#   the object's API field names): a damaged export is refused when landed, with its true reason. Any other
#   file is ignored, with the reason.
# - One file key, one file, unless the files are clearly successive exports: each carries a date in its path
#   below the anchor (year first: 2026-01-31, 2026_01_31, 20260131, 2026-01) and no two the same date. They
#   then load oldest date first, so the latest export wins in staging. Anything else stops the run
#   (ClaimConflict) naming every file and the fix: nothing is silently stacked or replaced.

MAPPING_NAMES = ("mapping.yml", "mapping.yaml")
EXPORT_SHAPE = 3  # API field names of the object (Id, AccountId, StageName…) that make a header a Data Export's
BUILTIN_MAPPINGS = Path(__file__).resolve().parents[3] / "mappings"
READABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])(?:[-_.]?(0[1-9]|[12]\d|3[01]))?(?!\d)")


class ClaimConflict(Exception):
    """Several inbox files claim one file key of a mapping and are not successive exports."""


@dataclass(frozen=True)
class Ignored:
    path: Path
    reason: str


@dataclass(frozen=True)
class Conflict:
    message: str
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class ExportFile:
    """A file landed by the ingest asset of a Salesforce Data Export object (or targets, benchmarks, fixed_costs)."""

    path: Path
    obj: ExportObject


@dataclass(frozen=True)
class Plan:
    """What a run does with the inbox: the files read (in landing order), the ones ignored and why, and the
    conflicts that stop the run."""

    read: list[MappedFile]
    ignored: list[Ignored]
    conflicts: list[Conflict]
    salesforce: list[ExportFile]

    def decision(self, path: Path) -> MappedFile | Ignored | Conflict | ExportFile | None:
        """What the run does with one file (None: not a readable file)."""
        return (
            next((c for c in self.conflicts if path in c.paths), None)
            or next((m for m in self.read if m.path == path), None)
            or next((f for f in self.salesforce if f.path == path), None)
            or next((i for i in self.ignored if i.path == path), None)
        )

    def exports(self, obj: ExportObject) -> list[Path]:
        """The files the ingest asset of ``obj`` lands, oldest export folder first (sorted by path)."""
        return sorted(f.path for f in self.salesforce if f.obj.name == obj.name)


def named_object(path: Path, objects: tuple[ExportObject, ...] = ALL_OBJECTS) -> ExportObject | None:
    """The object whose Data Export file name ``path`` has (Opportunity.csv, opportunity_2026-06-30.csv)."""
    return next((obj for obj in objects if obj.matches(path.name)), None)


def _export_header(obj: ExportObject, header: list[str]) -> str | None:
    """None when a file named like ``obj`` with this header line is ``obj``'s export, possibly damaged (landing
    then refuses it with its reason); else why it is not.

    Data Export headers are the object's API field names, exactly as Salesforce writes them. A header that cannot
    be judged (empty, binary, one column: a delimiter that is not , ; tab |) is the object's, so landing names the
    true problem. A header with fewer than EXPORT_SHAPE of the object's field names is another system's file.
    """
    if len(header) <= 1:
        return None
    known = [c for c in header if c in obj.columns]
    if len(known) >= EXPORT_SHAPE or all(c in header for c in obj.required):
        return None
    missing = [c for c in obj.required if c not in header]
    has = (
        f"only {len(known)} of {obj.name}'s field names ({', '.join(known)}; a Data Export header has at least "
        f"{EXPORT_SHAPE}) and not its required {', '.join(missing)}"
        if known
        else f"none of {obj.name}'s required columns ({', '.join(obj.required)}) nor any other of its field names"
    )
    return (
        f"its name looks like the Salesforce Data Export object {obj.name} ({obj.name}*.csv), but it is not one: "
        f"its header has {has}"
    )


def _unnamed_export(header: list[str], objects: tuple[ExportObject, ...]) -> str | None:
    """For a file whose name is no object's: the hint that its header is a Data Export object's, if it is."""
    shaped = [
        (len(known), obj)
        for obj in objects
        if all(c in header for c in obj.required)
        and len(known := [c for c in header if c in obj.columns]) >= EXPORT_SHAPE
    ]
    if not shaped:
        return None
    obj = max(shaped, key=lambda found: found[0])[1]
    return (
        f"its header has the Salesforce Data Export columns of {obj.name} ({', '.join(obj.required)}, …), but a Data "
        f"Export file is known by its name: to load it as {obj.name}, name it {obj.file_name} (or "
        f"{obj.name}_<date>.csv)"
    )


def is_mapping_file(path: Path) -> bool:
    name = path.name.lower()
    return name in MAPPING_NAMES or name.endswith((".mapping.yml", ".mapping.yaml"))


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A case-insensitive glob over a relative path: `*` and `?` within one folder, `**/` across folders."""
    text = pattern.replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if text.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if text.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in text[i + 2 :]:
            close = text.index("]", i + 2)
            body = text[i + 1 : close]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = close + 1
            continue
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE)


def _relative(path: Path, anchor: Path) -> str | None:
    return path.relative_to(anchor).as_posix() if path.is_relative_to(anchor) else None


def _matches(pattern: str, path: Path, anchor: Path) -> bool:
    """True when ``path``, relative to ``anchor``, matches ``pattern`` as a whole (see the rules above)."""
    relative = _relative(path, anchor)
    return relative is not None and _glob_regex(pattern).fullmatch(relative) is not None


def export_date(relative: str) -> str | None:
    """The last year-first date in a path (2026-01-31, 20260131, 2026-01) as YYYY-MM[-DD]; None without one."""
    found = list(_DATE.finditer(relative))
    if not found:
        return None
    year, month, day = found[-1].groups()
    return f"{year}-{month}" + (f"-{day}" if day else "")


def _first_line_headers(path: Path) -> list[str]:
    from pipelines.lib.ingest.files import header_fields

    if path.suffix.lower() == ".xlsx":  # the first row of the first sheet (HubSpot exports .xlsx by default)
        from python_calamine import CalamineWorkbook

        try:
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()
            return [str(h).strip() for h in next(rows, [])]
        except Exception:  # an unreadable workbook is reported when it is landed, not here
            return []
    return header_fields(path)  # the header line, below a report's title block if there is one


def run_anchor(inbox: Path, mapping_file: Path) -> Path:
    """Where the patterns of ``--mapping`` are anchored: its folder inside the inbox, else the inbox root."""
    folder = mapping_file.resolve().parent
    return folder if folder.is_relative_to(inbox.resolve()) else inbox


def _claim(loaded: LoadedMapping, path: Path, anchor: Path, found_by: str) -> MappedFile | None:
    for key, spec in loaded.mapping.files.items():
        if _matches(spec.pattern, path, anchor):
            return MappedFile(path, loaded, key, found_by, anchor)
    return None


def _why_ignored(
    path: Path, considered: list[tuple[LoadedMapping, Path]], builtins: list[LoadedMapping], look_alike: str | None
) -> str:
    """Why no mapping reads ``path``, naming the pattern that would, were it anchored elsewhere."""
    for loaded, anchor in considered:
        relative = _relative(path, anchor)
        if relative is None:
            continue
        for key, spec in loaded.mapping.files.items():
            name_only = spec.pattern.replace("\\", "/").rsplit("/", 1)[-1]
            if "/" in relative and _glob_regex(name_only).fullmatch(path.name):
                return (
                    f"its name matches pattern {spec.pattern!r} (file key {key!r}) of {loaded.path}, but patterns are "
                    f"relative to {anchor} and this file is {relative!r}, in a sub-folder. To read it, write the "
                    f"pattern as {relative!r}; if it is a stray copy, nothing is needed."
                )
    mappings = ", ".join(f"{loaded.path} (patterns relative to {anchor})" for loaded, anchor in considered)
    builtin = ", ".join(b.source for b in builtins)
    parts = [f"it matches no file pattern of {mappings}" if mappings else "no mapping file applies to its folder"]
    if builtins:
        parts.append(f"its header line is not recognised by a built-in source ({builtin})")
    if look_alike:
        return (
            f"{look_alike}; {' and '.join(parts)}. A run does not read it. To read it through a mapping, claim it: a "
            "mapping.yml beside it (or --mapping) whose pattern matches its name."
        )
    return " and ".join(parts) + ". A run does not read it."


def plan(
    inbox: Path,
    mapping_file: Path | None,
    builtins: list[LoadedMapping],
    objects: tuple[ExportObject, ...] = ALL_OBJECTS,
) -> Plan:
    """Every readable file under ``inbox`` and what a run does with it (the rules above)."""
    from pipelines.lib.ingest.mapping.load import load_mapping

    if not inbox.exists():
        return Plan([], [], [], [])
    everything = sorted(p for p in inbox.rglob("*") if p.is_file())
    candidates = [p for p in everything if p.suffix.lower() in READABLE_SUFFIXES]
    claimed: dict[Path, MappedFile] = {}
    considered: list[tuple[LoadedMapping, Path]] = []
    # the nearest inbox mapping file first (deepest folder), so a sub-folder's own mapping wins
    ymls = sorted((p for p in everything if is_mapping_file(p)), key=lambda p: (-len(p.parts), p))
    for yml in ymls:
        loaded = load_mapping(yml)
        considered.append((loaded, yml.parent))
        for path in candidates:
            if path not in claimed and (mapped := _claim(loaded, path, yml.parent, "inbox mapping file")):
                claimed[path] = mapped
    if mapping_file is not None:
        loaded = load_mapping(mapping_file)
        anchor = run_anchor(inbox, mapping_file)
        considered.append((loaded, anchor))
        for path in candidates:
            if path not in claimed and (mapped := _claim(loaded, path, anchor, "--mapping")):
                claimed[path] = mapped
    salesforce: list[ExportFile] = []
    look_alikes: dict[Path, str] = {}
    for path in candidates:
        if path in claimed:
            continue
        obj = named_object(path, objects)
        header = _first_line_headers(path) if obj is not None or builtins else []
        if obj is not None and all(c in header for c in obj.required):
            salesforce.append(ExportFile(path, obj))
            continue
        found = formats.recognise(header, builtins) if builtins else None
        if found:
            claimed[path] = MappedFile(path, found[0], found[1], "recognised built-in source", inbox)
            continue
        if obj is not None:
            why_not = _export_header(obj, header)
            if why_not is None:
                salesforce.append(ExportFile(path, obj))
            else:
                look_alikes[path] = why_not
        elif hint := _unnamed_export(header, objects):
            look_alikes[path] = hint
    exported = {f.path for f in salesforce}
    ignored = [
        Ignored(p, _why_ignored(p, considered, builtins, look_alikes.get(p)))
        for p in candidates
        if p not in claimed and p not in exported
    ]
    read, conflicts = _order_claims(list(claimed.values()))
    return Plan(read, ignored, conflicts, salesforce)


def _order_claims(claims: list[MappedFile]) -> tuple[list[MappedFile], list[Conflict]]:
    """Files in landing order (by path; successive exports of one key by date) and the conflicts found."""
    groups: dict[tuple[Path, str], list[MappedFile]] = {}
    for mapped in sorted(claims, key=lambda m: m.path):
        groups.setdefault((mapped.loaded.path, mapped.key), []).append(mapped)
    order: dict[Path, tuple] = {}
    conflicts = []
    for (_, key), group in groups.items():
        if len(group) == 1:
            order[group[0].path] = (group[0].path, "")
            continue
        dates = [export_date(_relative(m.path, m.anchor) or m.path.name) for m in group]
        if all(dates) and len(set(dates)) == len(dates):
            first = min(m.path for m in group)
            for mapped, day in zip(group, dates, strict=True):
                order[mapped.path] = (first, day)
            continue
        loaded = group[0].loaded
        spec = loaded.mapping.files[key]
        line = loaded.line("files", key)
        builtin = group[0].found_by == "recognised built-in source"
        where = f"{loaded.path}, line {line}" if line and not builtin else f"{loaded.path}"
        how = "header recognition" if builtin else f"pattern {spec.pattern!r} (relative to {group[0].anchor})"
        files = " and ".join(str(m.path) for m in group)
        fix = (
            "Move the file you do not want out of the inbox, or make the pattern match only one of them; files "
            "that belong together each need their own key under `files` (list the entity's blocks)."
            if not builtin
            else "Move the file you do not want out of the inbox; files that belong together (two portals) each need "
            f"a copy of {loaded.path.name} as mapping.yml in their own folder."
        )
        message = (
            f"{where}: {len(group)} files claim file key {key!r} of source {loaded.source!r} through {how}: "
            f"{files}. A run reads one file per key, or successive exports that each carry a different date in "
            f"their path (orders_2026-01-31.csv, 2026-01-31/orders.csv), oldest first; these are not, so none was "
            f"read. {fix}"
        )
        conflicts.append(Conflict(message, tuple(m.path for m in group)))
    read = sorted((m for m in claims if m.path in order), key=lambda m: order[m.path])
    return read, conflicts


def discover(
    inbox: Path,
    mapping_file: Path | None,
    builtins: list[LoadedMapping],
    objects: tuple[ExportObject, ...] = ALL_OBJECTS,
) -> list[MappedFile]:
    """The files mappings read, in landing order; ClaimConflict when several files claim one file key."""
    found = plan(inbox, mapping_file, builtins, objects)
    if found.conflicts:
        raise ClaimConflict(" ".join(c.message for c in found.conflicts))
    return found.read


def load_builtins(folder: Path) -> list[LoadedMapping]:
    from pipelines.lib.ingest.mapping.load import load_mapping

    if not folder.is_dir():
        return []
    return [load_mapping(p) for p in sorted(folder.glob("*.yml"))]


__all__ = [
    "BUILTIN_MAPPINGS",
    "ClaimConflict",
    "Conflict",
    "ExportFile",
    "Ignored",
    "MappedFile",
    "MappedResult",
    "MappingError",
    "Plan",
    "discover",
    "land_mapped",
    "load_builtins",
    "named_object",
    "plan",
]
