"""The dashboard page as a sales manager reads it, rendered from frozen rows without a warehouse or a browser.

Status chips only where a target exists, rates changing in percentage points, the rep charts sharing one order
(the top 15 by revenue), money in the reporting currency, and each KPI's definition from the KPI catalogue.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.lib.config import load_publish_config
from pipelines.lib.publish.charts import CHARTS
from pipelines.lib.publish.dashboard import Frozen, render
from pipelines.lib.publish.formats import excel_format, fmt

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "kpi_catalogue.csv"
META = {
    "grain": "monthly",
    "label_": "2026-06",
    "version": 1,
    "snapshot_id": "monthly-2026-06-v1",
    "published_at": datetime(2026, 7, 1, 6, 0),
    "source": "marts.kpi_scorecard",
    "workbook": "monthly-2026-06-v1.xlsx",
}


def catalogue() -> dict[str, dict]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return {row["kpi"]: row for row in csv.DictReader(handle)}


def kpi(name: str, actual: str, prior: str, target: str | None = None, status: str | None = None) -> dict:
    entry = catalogue()[name]
    change = (Decimal(actual) - Decimal(prior)) / abs(Decimal(prior))
    return {
        "grain": "month",
        "period_start": date(2026, 6, 1),
        "period_end": date(2026, 6, 30),
        "scope": "company",
        "scope_id": "company",
        "scope_name": "Company",
        "kpi": name,
        "kpi_label": entry["label"],
        "kpi_unit": entry["unit"],
        "higher_is_better": entry["higher_is_better"] == "true",
        "actual": Decimal(actual),
        "target": None if target is None else Decimal(target),
        "attainment": None if target is None else float(Decimal(actual) / Decimal(target)),
        "prior_value": Decimal(prior),
        "change_pct": float(change),
        "status": status,
        "benchmark": None,
    }


KPIS = [
    kpi("revenue", "17440729.45", "15503000.00", "16000000", "on_track"),
    kpi("deals_won", "42", "40"),
    kpi("win_rate", "0.257", "0.253"),
    kpi("retention_rate", "0.195", "0.119"),
    kpi("churn_rate", "0.805", "0.881"),
    kpi("quota_attainment", "0.82", "0.9", "1", "at_risk"),
    kpi("avg_sales_cycle_days", "61.2", "70.0"),
]


def reps(count: int) -> list[dict]:
    """Reps whose revenue order differs from their name order (distinct revenues: 19 is prime to 50)."""
    return [
        {
            "rep_id": f"r{i}",
            "rep_name": f"Rep {i:02d}",
            "revenue": Decimal((i * 7919) % count * 1000),
            "quota": Decimal(50000),
            "quota_attainment": float((i * 7919) % count * 1000 / 50000),
            "win_rate": 0.1 + i / 100,
            "avg_sales_cycle_days": 30 + i,
        }
        for i in range(count)
    ]


def page(currency: str | None = None) -> str:
    frozen = Frozen(KPIS, {"rep_performance": reps(50)})
    return render(frozen, **META, **({"currency": currency} if currency else {}))


def scorecard_row(html: str, name: str) -> str:
    return html.split(f'<tr data-kpi="{name}">')[1].split("</tr>")[0]


def test_status_chips_only_where_a_target_exists() -> None:
    html = page()
    with_target = [k["kpi"] for k in KPIS if k["target"] is not None]
    scorecard = html.split('<section id="scorecard">')[1].split("</section>")[0]
    assert len(re.findall(r'<span class="badge', scorecard)) == len(with_target) == 2
    assert "No target" not in html
    assert 'class="badge on_track">On track' in scorecard_row(html, "revenue")
    assert 'class="badge at_risk">At risk' in scorecard_row(html, "quota_attainment")


def test_rates_change_in_points_money_and_counts_in_percent() -> None:
    html = page()
    # the scorecard's number cells: actual, previous, change, ...
    shown = {k["kpi"]: re.findall(r'<td class="num[^"]*">([^<]*)</td>', scorecard_row(html, k["kpi"]))[2] for k in KPIS}
    assert shown == {
        "revenue": "+12.5%",
        "deals_won": "+5.0%",
        "win_rate": "+0.4 pt",
        "retention_rate": "+7.6 pt",
        "churn_rate": "−7.6 pt",
        "quota_attainment": "−8.0 pt",
        "avg_sales_cycle_days": "−12.6%",
    }


def test_rep_charts_share_one_order_of_the_top_15_by_revenue() -> None:
    rows = reps(50)
    expected = [r["rep_name"] for r in sorted(rows, key=lambda r: (-r["revenue"], r["rep_name"]))][:15]
    figures = [build(rows) for _, build in CHARTS["rep_performance"]]  # the reporting currency left at its default
    assert [list(trace["y"]) for figure in figures for trace in figure["data"]] == [expected] * 4
    assert [figure["layout"]["yaxis"]["autorange"] for figure in figures] == ["reversed"] * 2  # the first rep on top
    assert expected[:3] == ["Rep 21", "Rep 42", "Rep 13"] and len(set(expected)) == 15


def test_money_follows_the_reporting_currency(tmp_path: Path) -> None:
    settings = tmp_path / "salesmetrics.yml"
    settings.write_text("publish:\n  reporting_currency: eur\n", encoding="utf-8")
    assert load_publish_config(settings).reporting_currency == "EUR"
    assert load_publish_config(tmp_path / "none.yml").reporting_currency == "USD"
    assert fmt(Decimal("17440729.45"), "currency", "EUR") == "€17,440,729"
    assert fmt(Decimal("-1234.5"), "currency", "GBP") == "−£1,235"
    assert fmt(Decimal("2588368.45"), "currency") == "$2,588,368"
    assert excel_format("currency", "EUR") == '"€"#,##0.00'
    html = page("EUR")
    assert '<div class="value" style="--chars: 11">€17,440,729</div>' in html
    assert '"tickprefix":"€"' in html and "$17,440,729" not in html
    settings.write_text("publish:\n  reporting_currency: dollars\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"salesmetrics.yml: publish: reporting_currency 'dollars' is not an ISO"):
        load_publish_config(settings)


def test_each_kpi_says_what_it_measures_on_hover() -> None:
    html = page()
    definitions = {name: row["definition"] for name, row in catalogue().items()}
    for k in KPIS:
        row = scorecard_row(html, k["kpi"])
        assert f'title="{definitions[k["kpi"]]}"'.replace("'", "&#39;") in row, k["kpi"]
    card = html.split('data-kpi="revenue" data-value')[1].split("</div>")[0]
    assert f'title="{definitions["revenue"]}"' in card
    note = html.split('id="churn-note">')[1].split("</p>")[0]
    assert note.startswith("Customer churn 80.5%: 1 - retention_rate: the share of the previous period")
    assert "not accounts lost for good" in note


def test_what_changed_since_the_previous_version_to_the_cent() -> None:
    restated = {
        "kpis": [
            {"scope": "company", "scope_id": "company", "scope_name": "Company", "kpi": "revenue",
             "kpi_label": "Revenue", "kpi_unit": "currency", "old_value": Decimal("576342.75"),
             "new_value": Decimal("576343.25"), "opportunity_ids": "006A, 006B",
             "changed_by": "2026-07-02/Opportunity.csv"},
            {"scope": "rep", "scope_id": "005X", "scope_name": "<b>Ann</b>", "kpi": "win_rate_by_amount",
             "kpi_label": None, "kpi_unit": "rate", "old_value": Decimal("0.267311"), "new_value": Decimal("0.312954"),
             "opportunity_ids": "006A", "changed_by": "2026-07-02/Opportunity.csv"},
        ],
        "opportunities": [
            {"opportunity_id": "006A", "change": "status, stage, close date changed", "old_status": "won",
             "new_status": "open", "old_close_date": date(2026, 4, 4), "new_close_date": date(2026, 7, 31),
             "old_amount": Decimal("96198.39"), "new_amount": Decimal("96198.39"), "source_file": "Opportunity.csv"},
        ],
    }  # fmt: skip
    html = render(Frozen(KPIS, {}, restated), **(META | {"version": 2}))
    section = html.split('<section id="restatements">')[1].split("</section>")[0]
    assert "What changed since version 1" in section
    revenue = section.split('data-kpi="revenue"')[1].split("</tr>")[0]
    assert "$576,342.75" in revenue and "$576,343.25" in revenue and "006A, 006B" in revenue
    rate = section.split('data-kpi="win_rate_by_amount"')[1].split("</tr>")[0]
    assert "Win rate (by amount)" in rate and "26.7%" in rate and "31.3%" in rate and "&lt;b&gt;Ann" in rate
    deal = section.split('data-opportunity="006A"')[1].split("</tr>")[0]
    assert "won → open" in deal and "2026-04-04 → 2026-07-31" in deal and "$96,198.39 → $96,198.39" in deal
    assert '<section id="restatements">' not in render(Frozen(KPIS, {}), **META)
