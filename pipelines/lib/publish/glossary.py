"""Plain-language definitions for the page (on hover) and the workbook (KPIs sheet, README sheet).

A KPI's definition comes from the kpi_catalogue seed, the one place the scorecard takes its KPIs from; the
other published columns (periods, names, section columns that are not KPIs) are defined here.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[3] / "dbt_project" / "seeds" / "kpi_catalogue.csv"

COLUMNS: dict[str, str] = {
    "grain": "Period length: week (ISO, Monday start) or month.",
    "period_start": "First day of the period.",
    "period_end": "Last day of the period (inclusive).",
    "scope": "company, team or rep.",
    "scope_id": "Identifier of the team or rep ('company' for the company).",
    "scope_name": "Name of the team or rep, as in the CRM.",
    "kpi": "Name of the metric (see the rows below for each metric's definition).",
    "actual": "Value of the KPI in the period.",
    "target": "Target of the KPI for the period (quota for revenue, else the targets file); empty without one.",
    "attainment": "actual / target.",
    "prior_value": "Value of the KPI in the previous period of the same length.",
    "change_pct": "(actual − prior_value) / |prior_value|.",
    "change_pt": "For a rate: (actual − prior_value) in percentage points, as the page shows it; empty otherwise.",
    "status": "on_track, at_risk or off_track against the target; empty without a target.",
    "benchmark": "Industry or competitor value of the KPI, where a benchmarks file gives one.",
    "benchmark_label": "Where the benchmark comes from.",
    "kpi_label": "Name of the metric in words.",
    "kpi_unit": "currency, rate, count, days or ratio.",
    "higher_is_better": "Whether a rise of the KPI is good news.",
    "target_source": "Where the target comes from (quota or the targets file).",
    "definition": "What the KPI measures (dbt_project/seeds/kpi_catalogue.csv).",
    "revenue_last_year": "Revenue of the same period one year earlier.",
    "revenue_yoy_change_pct": "(revenue − revenue_last_year) / revenue_last_year.",
    "rep_id": "CRM id of the rep (deal owner at close).",
    "rep_name": "Name of the rep.",
    "team": "The rep's team when the row's deals closed (a rep who moved has a row per team).",
    "region": "Region of the deal (else of the account, else of the owner).",
    "country": "Country of the deal or account.",
    "lead_source": "The opportunity's or lead's own lead source ('unknown' when empty).",
    "leads_converted": "Of the leads created in the period, those converted by now.",
    "product_id": "CRM id of the product ('unknown' for won deals without known products).",
    "product_name": "Name of the product.",
    "product_family": "Product family.",
    "units": "Units sold on won deals.",
    "customers_prior": "Customers active in the previous period.",
    "customers_active": "Customers active in the period.",
    "customers_retained": "Customers active in both the previous period and this one.",
    "reactivated_customers": "Active now, neither new nor active in the previous period.",
    "cohort_month": "Month of the cohort's first won deal.",
    "months_since_first_purchase": "Months between the cohort month and the month measured.",
    "cohort_size": "Accounts whose first won deal is in the cohort month.",
    "cohort_revenue": "Revenue of the cohort's accounts in the month measured.",
    "cumulative_revenue_per_customer": "Cohort revenue up to the month measured / cohort_size.",
    "stage": "Sales stage of the open opportunities.",
    "open_amount": "Amount of the open opportunities.",
    "weighted_amount": "Open amount × stage probability.",
    "avg_age_days": "Average days since the open opportunities were created.",
}


@functools.cache
def kpi_definitions(catalogue: Path = CATALOGUE) -> dict[str, str]:
    """kpi → its one-line definition, from the seed (empty when the seed is not beside the code)."""
    if not catalogue.exists():
        return {}
    with catalogue.open(encoding="utf-8", newline="") as handle:
        return {row["kpi"]: " ".join(row["definition"].split()) for row in csv.DictReader(handle)}


def definition(name: str) -> str:
    """The definition of a KPI or a published column; '' when there is none."""
    return kpi_definitions().get(name) or COLUMNS.get(name, "")


def glossary() -> dict[str, str]:
    """Every defined name: the columns first, then the KPIs in the catalogue's order."""
    return COLUMNS | kpi_definitions()
