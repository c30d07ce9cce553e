"""How a number reads for people: one kind per column or KPI name, shared by the page and the workbook."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel.numbers import NumberPattern, get_currency_symbol, parse_pattern

CURRENCY = "USD"  # the reporting currency when salesmetrics.yml sets none (publish: reporting_currency)
LOCALE = "en_US"
_LOCALE = Locale.parse(LOCALE)
DATES = {"period_start", "period_end", "cohort_month", "as_of_date", "published_at"}
PERCENT = {"attainment", "change_pct", "win_rate_by_amount"}
LOWER_IS_BETTER = ("cycle", "lost", "stale", "overdue", "churn", "cac", "cost", "age", "payback")
MONEY_WORDS = ("revenue", "amount", "quota", "size", "margin", "cost", "spend", "cac", "clv", "value")
COUNTS = {"cohort_size", "months_since_first_purchase"}
COUNT_WORDS = ("deals", "customers", "opportunities", "leads", "units", "months_since", "count")


def kind(name: str) -> str:
    """date | percent | days | ratio | months | currency | count | number | text (the caller decides text)."""
    if name in DATES:
        return "date"
    if name in COUNTS:
        return "count"
    if name == "change_pt":
        return "points"
    if name in PERCENT or name.endswith(("_rate", "_pct", "_attainment")):
        return "percent"
    if "days" in name:
        return "days"
    if name.startswith("ltv_to"):
        return "ratio"
    if name.endswith("_months"):
        return "months"
    if any(word in name for word in MONEY_WORDS):
        return "currency"
    if any(word in name for word in COUNT_WORDS):
        return "count"
    return "number"


UNITS = {"currency": "currency", "rate": "percent", "count": "count", "days": "days", "ratio": "ratio"}


def kpi_kind(row: dict) -> str:
    """A scorecard row's kind: its kpi_unit when the scorecard carries one, else guessed from the KPI's name."""
    return UNITS.get(row.get("kpi_unit") or "", "") or kind(row["kpi"])


def kpi_label(row: dict) -> str:
    return row.get("kpi_label") or label(row["kpi"])


def lower_is_better(row: dict) -> bool:
    if row.get("higher_is_better") is not None:
        return not row["higher_is_better"]
    return any(word in row["kpi"] for word in LOWER_IS_BETTER)


WORDS = {"kpi": "KPI", "prior_value": "Previous", "yoy": "YoY", "id": "ID", "avg": "Average", "pct": "%"}
# The two win rates, named so nobody confuses them (the KPI catalogue's labels).
LABELS = {"win_rate": "Win rate (by count)", "win_rate_by_amount": "Win rate (by amount)", "change_pt": "Change (pt)"}


def label(name: str) -> str:
    """A column name in words, the same on the page and in the workbook: deals_won → Deals won, kpi → KPI."""
    if name in WORDS:
        return WORDS[name]
    if name in LABELS:
        return LABELS[name]
    text = " ".join(WORDS.get(word, word) for word in name.split("_") if word)
    return text[:1].upper() + text[1:]


@cache
def symbol(currency: str = CURRENCY) -> str:
    """$ for USD, € for EUR; a code-like symbol (CHF) is followed by a no-break space."""
    sign = get_currency_symbol(currency, LOCALE)
    return sign if len(sign) == 1 else f"{sign}\u00a0"


@cache
def _money_pattern(currency: str, places: int) -> NumberPattern:
    """Parsed once per currency and places: Babel's format_currency parses locale and pattern on every call
    (~0.5 ms; a workbook formats ~10,000 amounts)."""
    return parse_pattern(
        ("¤\u00a0" if symbol(currency).endswith("\u00a0") else "¤") + "#,##0" + "." * bool(places) + "0" * places
    )


def money(number: Decimal, currency: str, places: int) -> str:
    """A non-negative amount in ``currency`` with Babel: $17,440,729 / €17,440,729 / CHF 17,440,729."""
    return _money_pattern(currency, places).apply(number, _LOCALE, currency=currency, currency_digits=False)


def fmt(value: object, how: str, currency: str = CURRENCY) -> str:
    """A value as shown on the page; '–' for no value; money in ``currency`` (an ISO code)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)
    number = Decimal(str(value))
    if how == "percent":
        number *= 100
    places = {"currency": 0, "cents": 2, "percent": 1, "points": 1, "days": 1, "months": 1, "ratio": 2}.get(how)
    if places is None:
        places = 0 if number == number.to_integral_value() else 2
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # half up, as people round
    sign = "−" if number < 0 else ""
    text = f"{abs(number):,.{places}f}"
    return {
        "currency": f"{sign}{money(abs(number), currency, places)}",
        "cents": f"{sign}{money(abs(number), currency, places)}",  # money where a cent matters (restatements)
        "percent": f"{sign}{text}%",
        "days": f"{sign}{text} days",
        "months": f"{sign}{text} months",
        "ratio": f"{sign}{text}×",
        "points": f"{sign or '+' if number else ''}{text} pt",
    }.get(how, f"{sign}{text}")


def fmt_change(value: object) -> str:
    """change_pct with its sign: +12.3% / −4.0%."""
    if value is None:
        return "–"
    text = fmt(value, "percent").removeprefix("−")
    if text == "0.0%":
        return text
    return f"−{text}" if value < 0 else f"+{text}"


def change_points(row: dict) -> Decimal | None:
    """A rate KPI's change in percentage points, exact ((actual − previous) × 100); None for other KPIs."""
    if kpi_kind(row) != "percent" or row["actual"] is None or row["prior_value"] is None:
        return None
    return (Decimal(str(row["actual"])) - Decimal(str(row["prior_value"]))) * 100


def change(row: dict) -> tuple[str, float | None]:
    """A KPI's change as a manager reads it, and its signed size (None: no change known).

    A rate moves in percentage points (25.3 % → 25.7 % is "+0.4 pt"); money, counts and days move in % of the
    previous value (change_pct).
    """
    if kpi_kind(row) != "percent":
        value = row["change_pct"]
        return fmt_change(value), None if value is None else float(value)
    points = change_points(row)
    if points is None:
        return "–", None
    points = points.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if points == 0:
        return "0.0 pt", 0.0
    return f"{'−' if points < 0 else '+'}{abs(points)} pt", float(points)


def excel_format(how: str, currency: str = CURRENCY) -> str | None:
    """The Excel number format of a kind (None: general)."""
    return {
        "currency": f'"{symbol(currency)}"#,##0.00',
        "percent": "0.0%",
        "days": "#,##0.0",
        "months": "#,##0.0",
        "ratio": "0.00",
        "points": '+0.0" pt";-0.0" pt";0.0" pt"',
        "count": "#,##0",
        "number": "#,##0.00",
        "date": "yyyy-mm-dd",
        "datetime": "yyyy-mm-dd hh:mm",
    }.get(how)


def column_kinds(rows: list[dict]) -> list[tuple[str, str]]:
    """(column, kind) for a table's columns; a column holding any text is text."""
    columns = list(rows[0]) if rows else []
    return [(c, "text" if any(isinstance(r[c], str) for r in rows) else kind(c)) for c in columns]
