"""One file's detected formats as DuckDB temp macros (``num``, ``dt``, ``d``, ``txt``), so that parsing 10M rows
happens in DuckDB, never in Python per row; every decision can be pinned in a mapping file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.lib.ingest.dates import date_family
from pipelines.lib.ingest.numbers import NumberFormat
from pipelines.lib.ingest.tokens import APOSTROPHES, CURRENCY_CODES, CURRENCY_SYMBOLS, SPACES


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
        "create or replace temp macro _sm_numtext(c) as "
        f"replace(replace(c, {_sql_str(group)}, ''), {_sql_str(decimal)}, '.')",
        # parsed as DECIMAL(18,6) first: text parses into a 128-bit DECIMAL(38,6) ~100x slower, to the same value
        f"create or replace temp macro _sm_numparse(c) as (case when regexp_full_match(c, {_sql_str(number_re)}) "
        "then coalesce(try_cast(_sm_numtext(c) as decimal(18,6))::decimal(38,6), "
        "try_cast(_sm_numtext(c) as decimal(38,6))) end)",
        "create or replace temp macro _sm_num(s) as "
        "(case when _sm_numneg(s) then -_sm_numparse(_sm_numcore(s)) else _sm_numparse(_sm_numcore(s)) end)",
        "create or replace temp macro num(x) as cast(_sm_num(_sm_numclean(x)) as decimal(38,6))",
    ]
    iso = (
        r"(case when regexp_matches(s, '(Z|[+-]\d\d:?\d\d)$') "
        "then timezone('UTC', try_cast(s as timestamptz)) else try_cast(s as timestamp) end)"
    )
    if date_format and date_format.upper() not in ("ISO", "AUTO"):
        formats = "[" + ", ".join(_sql_str(f) for f in date_family(date_format)) + "]"
        parse = f"coalesce(try_strptime(s, {formats})::timestamp, {iso})"
    else:
        parse = iso
    statements += [
        f"create or replace temp macro _sm_dt(s) as {parse}",
        "create or replace temp macro dt(x) as _sm_dt(txt(x))",
        "create or replace temp macro d(x) as cast(dt(x) as date)",
    ]
    return statements
