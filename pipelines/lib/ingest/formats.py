"""How the values in an export are written: numbers, dates, nulls; and unpacking .zip/.xlsx inputs.

Detection looks at a sample of text values and decides one format per file; ``macro_sql`` turns that
decision into DuckDB temp macros (``num``, ``dt``, ``d``, ``txt``) so that parsing 10M rows happens in
DuckDB, never in Python per row. Every decision can be pinned in a mapping file.

Numbers: the decimal separator is the one that appears last in a value with both ``.`` and ``,``
(``1.234,56`` / ``1,234.56``), or the only one when it is not followed by exactly three digits (``12,5``).
A single separator followed by exactly three digits (``1,234`` or ``1.234``) is ambiguous; on its own it
is read the English way (point = decimal, comma = thousands). Spaces, no-break spaces and apostrophes
are always thousands separators; ``$ € £ ¥`` and ``USD EUR GBP JPY CHF`` before or after the number and
a trailing ``%`` are dropped; ``(1,234.00)``, ``-1234`` and ``1234-`` are negative. A value that is
none of these (``12 apples``, ``1,2,3``) becomes NULL in ``num`` so the audit can quarantine it. Scientific
notation (``1.03444E11``, ``1,5E+04``) is read exactly, as DECIMAL; a value too large for DECIMAL(38,6) is NULL.

Dates: ISO dates and datetimes (``T`` or space, fractional seconds, ``Z`` or an offset: converted to
UTC) are always understood. Otherwise one of M/D/YYYY, D/M/YYYY, DD.MM.YYYY, YYYY/MM/DD, each with an
optional ``H:MM[:SS]`` and ``AM/PM``. Slash dates whose values never exceed 12 in either position are
ambiguous and read as M/D/YYYY: slash dates come overwhelmingly from US-locale CRM exports (Salesforce,
HubSpot), and European Excel writes DD.MM.YYYY; pin ``date_format: "%d/%m/%Y"`` otherwise.
"""

from __future__ import annotations

import codecs
import csv
import re
import shutil
import stat
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from pipelines.lib.ingest.files import FileRejected

NULL_TOKENS: tuple[str, ...] = ("", "NULL", "null", "#N/A", "N/A", "-", "na", "NA", "n/a")
CURRENCY_CODES: tuple[str, ...] = ("USD", "EUR", "GBP", "JPY", "CHF")
CURRENCY_SYMBOLS = "$€£¥"
SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space, thin space
APOSTROPHES = "'\u2019"

# .zip limits: an export is a few GB at most; anything beyond is a mistake or a zip bomb.
MAX_UNZIPPED_BYTES = 8 << 30
MAX_MEMBERS = 10_000
MAX_RATIO = 1_000  # uncompressed / compressed size of one member
MAX_NESTING = 3
INPUT_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".zip")


@dataclass(frozen=True)
class NumberFormat:
    decimal: str = "."
    thousands: str | None = None


@dataclass(frozen=True)
class Detected:
    """What detection decided for one file (shown as asset metadata)."""

    encoding: str
    delimiter: str
    number: NumberFormat
    date_format: str | None
    null_tokens: tuple[str, ...]

    def as_metadata(self) -> dict[str, str]:
        return {
            "encoding": self.encoding,
            "delimiter": {"\t": "tab"}.get(self.delimiter, self.delimiter),
            "decimal": self.number.decimal,
            "thousands": {None: "none", " ": "space"}.get(self.number.thousands, self.number.thousands or ""),
            "date_format": self.date_format or "ISO",
            "null_tokens": ", ".join(repr(t) for t in self.null_tokens),
        }


# ----------------------------------------------------------------------------------------------- numbers

_STRIP = re.compile("(?i)" + "|".join(CURRENCY_CODES) + "|[" + CURRENCY_SYMBOLS + SPACES + APOSTROPHES + "%]")
_SIGNS = re.compile(r"^\(|\)$|^[+-]|-$")
_THOUSANDS_SEEN = re.compile(r"\d[" + SPACES + APOSTROPHES + r"]\d{3}(?!\d)")


_EXPONENT = re.compile(r"(?<=\d)[eE][+-]?\d+$")


def _number_core(value: str) -> str:
    """The digits and separators of a number: no currency, sign or exponent (1.03444E11 → 1.03444)."""
    return _EXPONENT.sub("", _SIGNS.sub("", _STRIP.sub("", value.strip())))


def detect_number_format(samples: Sequence[str]) -> NumberFormat:
    """The decimal and thousands separators the samples use (see the module docstring for the rules)."""
    votes = {".": 0, ",": 0}
    thousands: dict[str, int] = {}
    ambiguous: set[str] = set()
    for raw in samples:
        if raw is None or raw.strip() in NULL_TOKENS:
            continue
        if match := _THOUSANDS_SEEN.search(raw):
            thousands[match.group(0)[1]] = thousands.get(match.group(0)[1], 0) + 1
        core = _number_core(raw)
        if not re.fullmatch(r"[\d.,]*\d[\d.,]*", core):
            continue
        dots, commas = core.count("."), core.count(",")
        if dots and commas:
            decimal = "." if core.rfind(".") > core.rfind(",") else ","
            votes[decimal] += 1
            other = "," if decimal == "." else "."
            thousands[other] = thousands.get(other, 0) + 1
        elif dots or commas:
            sep = "." if dots else ","
            if dots + commas > 1:  # 1.234.567 or 1,234,567: only a thousands separator repeats
                other = "," if sep == "." else "."
                votes[other] += 1
                thousands[sep] = thousands.get(sep, 0) + 1
            elif re.fullmatch(r"\d{1,3}[.,]\d{3}", core):
                ambiguous.add(sep)
            else:
                votes[sep] += 1
    # Only 1,234 / 1.234 seen (or a tie): the English reading, point decimal and comma thousands.
    decimal = "," if votes[","] > votes["."] else "."
    if decimal == "," and "." in ambiguous:
        thousands["."] = thousands.get(".", 0) + 1
    if decimal == "." and "," in ambiguous:
        thousands[","] = thousands.get(",", 0) + 1
    thousands.pop(decimal, None)
    chosen = max(thousands, key=lambda k: thousands[k]) if thousands else None
    if chosen and chosen in SPACES:
        chosen = " "
    elif chosen and chosen in APOSTROPHES:
        chosen = "'"
    return NumberFormat(decimal=decimal, thousands=chosen)


# ------------------------------------------------------------------------------------------------- dates

_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p")
_DATE_BASES = ("%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?")
_DATEISH = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}([T ].*)?")


def _family(date_format: str) -> list[str]:
    """The pinned or detected format first, then the same date order with and without a time of day."""
    for base in _DATE_BASES:
        if date_format.startswith(base):
            return [date_format] + [base + t for t in _TIMES if base + t != date_format]
    return [date_format]


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def detect_date_format(samples: Sequence[str]) -> str | None:
    """A strptime format for the samples, ``"ISO"`` for ISO-8601 text, or None when they are not dates.

    A format is chosen when it parses at least half of the non-null samples; the ISO check comes first
    (it is unambiguous). M/D versus D/M is decided by values above 12; all ambiguous → M/D (docstring).
    """
    values = [s.strip() for s in samples if s is not None and s.strip() not in NULL_TOKENS]
    values = [v for v in values if _DATEISH.fullmatch(v)]
    if not values:
        return None
    if sum(bool(_ISO.fullmatch(v)) for v in values) * 2 >= len(values):
        return "ISO"
    best, best_count = None, 0
    for base in _DATE_BASES:
        for suffix in _TIMES:
            fmt = base + suffix
            count = sum(_parses(v, fmt) for v in values)
            if count > best_count:
                best, best_count = fmt, count
    if best is None:
        return None
    # Several formats of the family may parse; count a family (all time variants) for the decision.
    family_counts = {base: sum(any(_parses(v, base + t) for t in _TIMES) for v in values) for base in _DATE_BASES}
    top = max(family_counts.values())
    if top * 2 < len(values):
        return None
    base = next(b for b in _DATE_BASES if family_counts[b] == top)  # M/D before D/M on a tie
    with_time = [t for t in _TIMES if any(_parses(v, base + t) for v in values)]
    most = max(with_time, key=lambda t: sum(_parses(v, base + t) for v in values))
    return base + most


# --------------------------------------------------------------------------------------------- SQL macros


def _class_chars(chars: str) -> str:
    """Characters for a [...] class, valid in both Python re and RE2."""
    return "".join("\\" + c if c in "]\\^-[" else c for c in chars)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def macro_sql(number: NumberFormat, date_format: str | None, null_tokens: Sequence[str]) -> list[str]:
    """``create or replace temp macro`` statements for ``txt``, ``num``, ``dt`` and ``d`` on one file.

    ``txt(x)``: trimmed text, NULL for a null token. ``num(x)``: DECIMAL(38,6) or NULL when the text is not
    a number in the file's format. ``dt(x)``: TIMESTAMP (UTC when the text has an offset) or NULL.
    ``d(x)``: DATE. Helper macros are prefixed ``_sm_``.
    """
    decimal = number.decimal
    if decimal not in (".", ","):
        raise ValueError(f"decimal separator must be '.' or ',', not {decimal!r}")
    group = "," if decimal == "." else "."
    # Spaces and apostrophes are removed outright; the other one of . and , must group by threes.
    strip_chars = CURRENCY_SYMBOLS + SPACES + APOSTROPHES + "%"
    if number.thousands and number.thousands not in (".", ","):
        strip_chars += number.thousands
    strip_re = "(?i)" + "|".join(CURRENCY_CODES) + "|[" + _class_chars(strip_chars) + "]"
    g, dsep = re.escape(group), re.escape(decimal)
    # a mantissa, then an optional exponent (Salesforce writes 1.03444E11); the cast reads it exactly
    number_re = rf"((\d{{1,3}}({g}\d{{3}})+|\d+)({dsep}\d*)?|{dsep}\d+)([eE][+-]?\d+)?"
    tokens = ", ".join(_sql_str(t) for t in null_tokens) or "''"
    statements = [
        f"create or replace temp macro txt(x) as "
        f"(case when x is null or trim(x::varchar) in ({tokens}) then null else trim(x::varchar) end)",
        f"create or replace temp macro _sm_numclean(x) as regexp_replace(txt(x), {_sql_str(strip_re)}, '', 'g')",
        "create or replace temp macro _sm_numneg(s) as (s like '(%)' or s like '-%' or s like '%-')",
        r"create or replace temp macro _sm_numcore(s) as regexp_replace(s, '^\(|\)$|^[+-]|-$', '', 'g')",
        f"create or replace temp macro _sm_numparse(c) as (case when regexp_full_match(c, {_sql_str(number_re)}) "
        f"then try_cast(replace(replace(c, {_sql_str(group)}, ''), {_sql_str(decimal)}, '.') as decimal(38,6)) end)",
        "create or replace temp macro _sm_num(s) as "
        "(case when _sm_numneg(s) then -_sm_numparse(_sm_numcore(s)) else _sm_numparse(_sm_numcore(s)) end)",
        "create or replace temp macro num(x) as cast(_sm_num(_sm_numclean(x)) as decimal(38,6))",
    ]
    iso = (
        r"(case when regexp_matches(s, '(Z|[+-]\d\d:?\d\d)$') "
        "then timezone('UTC', try_cast(s as timestamptz)) else try_cast(s as timestamp) end)"
    )
    if date_format and date_format.upper() not in ("ISO", "AUTO"):
        formats = "[" + ", ".join(_sql_str(f) for f in _family(date_format)) + "]"
        parse = f"coalesce(try_strptime(s, {formats})::timestamp, {iso})"
    else:
        parse = iso
    statements += [
        f"create or replace temp macro _sm_dt(s) as {parse}",
        "create or replace temp macro dt(x) as _sm_dt(txt(x))",
        "create or replace temp macro d(x) as cast(dt(x) as date)",
    ]
    return statements


# -------------------------------------------------------------------------------------------- .zip / .xlsx


def expand_inputs(path: Path, work_dir: Path, _depth: int = 0) -> list[Path]:
    """The data files ``path`` stands for: itself (CSV/text), one CSV per sheet (.xlsx), or the members of
    a .zip (recursively expanded). Extracted/converted files go under ``work_dir``."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return list(expand_xlsx(path, work_dir).values())
    if suffix == ".zip":
        if _depth >= MAX_NESTING:
            raise FileRejected(
                path, f"archives are nested more than {MAX_NESTING} levels deep.", "Unzip it and drop the CSVs in."
            )
        out: list[Path] = []
        for member in _extract_zip(path, work_dir / f"{path.stem}.unzipped"):
            out.extend(expand_inputs(member, member.parent, _depth + 1))
        return out
    return [path]


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return f"member {info.filename!r} has an absolute path"
    if ".." in parts:
        return f"member {info.filename!r} points outside the archive (..)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"member {info.filename!r} is a symbolic link"
    return None


def _extract_zip(path: Path, target: Path) -> list[Path]:
    fix = "Download the export again (the archive may be incomplete), or unzip it and drop the CSV files in."
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(path, f"it is not a readable .zip archive ({exc}).", fix) from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise FileRejected(path, f"the archive holds {len(infos):,} files (limit {MAX_MEMBERS:,}).", fix)
        for info in infos:
            if problem := _member_problem(info):
                raise FileRejected(path, f"the archive is unsafe: {problem}.", "Unzip it yourself and check it.")
        wanted = [
            i
            for i in infos
            if PurePosixPath(i.filename).suffix.lower() in INPUT_SUFFIXES
            and not any(p.startswith((".", "__MACOSX")) for p in PurePosixPath(i.filename).parts)
        ]
        if not wanted:
            raise FileRejected(path, "the archive holds no .csv, .txt, .xlsx or .zip file.", fix)
        total = 0
        extracted = []
        for info in wanted:
            if info.flag_bits & 0x1:
                raise FileRejected(path, f"member {info.filename!r} is encrypted.", "Export it without a password.")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1 << 24:
                raise FileRejected(
                    path, f"member {info.filename!r} expands suspiciously ({info.file_size:,} bytes).", fix
                )
            dest = target.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
            if not dest.resolve().is_relative_to(target.resolve()):
                raise FileRejected(path, f"the archive is unsafe: {info.filename!r} leaves the folder.", fix)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as source, dest.open("wb") as sink:
                    while chunk := source.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_UNZIPPED_BYTES:
                            raise FileRejected(
                                path, f"it unpacks to more than {MAX_UNZIPPED_BYTES >> 30} GB.", "Split the export."
                            )
                        sink.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                shutil.rmtree(target, ignore_errors=True)
                raise FileRejected(path, f"member {info.filename!r} is damaged ({exc}).", fix) from exc
            extracted.append(dest)
    return sorted(extracted)


def _sheet_slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9 _-]+", "_", name).strip() or "sheet"


def cell_text(value: Any) -> str:
    """A spreadsheet cell as CSV text: ISO dates, numbers as written (0.1 stays 0.1, 12.0 is 12)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        # Excel keeps 15 significant digits; more is binary noise (0.30000000000000004).
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def expand_xlsx(path: Path, work_dir: Path) -> dict[str, Path]:
    """Every sheet with data → ``<work_dir>/<stem>.<sheet>.csv`` (UTF-8, comma), in workbook order."""
    from python_calamine import CalamineWorkbook

    fix = "Open it in Excel and save it again as .xlsx (or export the sheet as CSV UTF-8)."
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for zip/XML damage
        raise FileRejected(path, f"it is not a readable .xlsx workbook ({exc}).", fix) from exc
    work_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    try:
        for name in workbook.sheet_names:
            try:
                rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise FileRejected(path, f"sheet {name!r} cannot be read ({exc}).", fix) from exc
            texts = [[cell_text(c) for c in row] for row in rows]
            while texts and not any(texts[-1]):
                texts.pop()
            if not texts:
                continue
            target = work_dir / f"{path.stem}.{_sheet_slug(name)}.csv"
            with target.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows(texts)
            out[name] = target
    finally:
        workbook.close()
    if not out:
        raise FileRejected(path, "the workbook has no sheet with data.", fix)
    return out


# -------------------------------------------------------------------------------------------- recognition


class _Recognisable(Protocol):
    recognise: Mapping[str, Sequence[str]] | None


def _norm(header: str) -> str:
    return header.lstrip(codecs.BOM_UTF8.decode()).strip().strip('"').strip().casefold()


def recognise(headers: Sequence[str], mappings: Sequence[_Recognisable]) -> tuple[Any, str] | None:
    """The (mapping, file key) whose ``recognise`` headers all appear in ``headers`` (case-insensitive,
    trimmed, BOM-tolerant); the one requiring the most headers wins, so a specific shape beats a loose one."""
    present = {_norm(h) for h in headers}
    best: tuple[int, Any, str] | None = None
    for mapping in mappings:
        for key, wanted in (getattr(mapping, "recognise", None) or {}).items():
            needed = {_norm(h) for h in wanted}
            if needed and needed <= present and (best is None or len(needed) > best[0]):
                best = (len(needed), mapping, key)
    return (best[1], best[2]) if best else None
