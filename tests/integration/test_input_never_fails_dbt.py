"""No dbt test may fail on user data: every property a dbt test asserts about input rows is checked by the audit
first (the row is quarantined with its rule) or the models accept it (NULL where the metric allows).

One small canonical export (every entity, tests/integration/canonical_fixture.py) is run three times through
the real job:

1. spoiled: each canonical column of each entity spoiled in its own copy of a clean row (blank, garbage, negative,
   far-future and far-past dates, an id twice in one file, an id in two files): the run succeeds, and each spoiled
   row is either quarantined under the rule that names its problem or accepted into staging as written / NULL;
2. blanked: whole nullable columns left blank (every open deal's created date, ...): the run succeeds, the metrics
   that need them are NULL and the others exact;
3. a bug of ours: a row the audit would have refused is written into raw behind its back, so a dbt test fails; the
   command says the run stopped during transform, names the test and model, calls it our bug and gives the log.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cli.runner import RunFailed, refresh_warehouse
from pipelines.lib.ingest.canonical import BOOLEAN, CANONICAL_SPECS, DATE, DATETIME, ENTITIES, MONEY, NUMBER
from tests.integration.canonical_fixture import ID_COLUMNS, base_rows, spoiled_rows, write_export
from tests.integration.conftest import export_root, restored_env

CONFIG = "audit:\n  quarantine_max_share: 1.0\n  row_count_min_ratio: 0\n"  # spoiled rows: most of each file

# Columns a row may leave blank: accepted, stored as NULL (the metrics that need them are NULL). Every other
# column's blank is quarantined: ids and required columns (__not_null), a won/lost deal's close date
# (__not_null_when_closed).
NULLABLE = {
    "accounts": "account_name industry segment country state region created_date",
    "reps": "rep_name manager_id manager_name team region is_active",
    "leads": "lead_source status is_converted converted_date converted_account_id converted_opportunity_id",
    "opportunities": "account_id owner_id created_date stage amount probability lead_source type campaign_id region "
    "currency",
    "opportunity_lines": "product_id quantity unit_price list_price total_price cost",
    "products": "product_name product_family unit_cost list_price",
    "stage_history": "",
    "campaigns": "campaign_name channel start_date end_date actual_cost",
    "quotas": "period_end",
    "rep_history": "manager_id manager_name team region",
    "currency_rates": "start_date",
}


@dataclass(frozen=True)
class Case:
    entity: str
    column: str
    spoilage: str
    file: str
    line: int


def expected_rule(case: Case) -> str | None:
    """The rule that must quarantine the row, or None when it must be accepted."""
    spec = CANONICAL_SPECS[case.entity]
    kind = ENTITIES[case.entity][case.column]
    column, spoilage = case.column, case.spoilage
    if spoilage == "duplicate":
        return f"{column}__unique"
    if spoilage == "blank":
        if column in NULLABLE[case.entity].split():
            return None
        if column in spec.required_when:
            return f"{column}__not_null_when_{spec.required_when[column][2]}"
        return f"{column}__not_null"
    if spoilage == "garbage":
        if kind in (DATE, DATETIME, MONEY, NUMBER):
            return f"{column}__parseable"
        if kind == BOOLEAN or column in spec.sets:
            return f"{column}__in_accepted_values"
        if column in spec.converts:  # a currency without a rate is never summed unconverted
            return f"{column}__has_rate"
        return None  # free text: accepted as written (an unknown id resolves nowhere: orphans are allowed)
    if spoilage == "negative":
        return f"{column}__between_0_and_100" if column in spec.percents else f"{column}__non_negative"
    assert spoilage in ("far_future", "far_past")
    return f"{column}__in_date_range"


@dataclass
class Run:
    root: Path
    warehouse: Path
    failure: str | None

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def run_pipeline(root: Path, rows: dict[str, list[dict[str, str]]], extra: dict | None = None) -> Run:
    write_export(root / "inbox" / "crm", rows, extra)
    (root / "salesmetrics.yml").write_text(CONFIG)
    os.environ["SALES_CONFIG"] = str(root / "salesmetrics.yml")
    paths = export_root(root)
    try:
        refresh_warehouse()
    except RunFailed as failure:
        return Run(root, paths.warehouse, str(failure))
    return Run(root, paths.warehouse, None)


@pytest.fixture(scope="module")
def config_env(isolated_env: None) -> Iterator[None]:
    with restored_env("SALES_CONFIG"):
        yield


@pytest.fixture(scope="module")
def spoiled(tmp_path_factory: pytest.TempPathFactory, config_env: None) -> tuple[Run, list[Case]]:
    rows = base_rows()
    cases = []
    for entity, kinds in ENTITIES.items():
        for column, spoilage, row in spoiled_rows(entity, kinds):
            rows[entity].append(row)
            cases.append(Case(entity, column, spoilage, f"crm_{entity}.csv", len(rows[entity]) + 1))
    # one deal in two exports of the same object: each file is fine on its own, staging keeps one
    rows["opportunities"].append({**rows["opportunities"][0], "opportunity_id": "X-TWICE", "amount": "10"})
    extra = {"opportunities-2": [{**rows["opportunities"][0], "opportunity_id": "X-TWICE", "amount": "20"}]}
    # valid but extreme: the company sells at a loss (a line that cost far more than it sold for), so gross margin,
    # and with it predicted CLV, is negative (a deal a year earlier gives the churn, and so the lifetime, that
    # predicted CLV needs)
    rows["opportunity_lines"].append({**rows["opportunity_lines"][0], "line_id": "X-LOSS", "cost": "1000000"})
    old_deal = {"opportunity_id": "X-A1-2025", "created_date": "2025-02-01", "close_date": "2025-03-14"}
    rows["opportunities"].append({**rows["opportunities"][0], **old_deal})
    root = tmp_path_factory.mktemp("spoiled")
    write_salesforce_twins(root / "inbox" / "salesforce")
    return run_pipeline(root, rows, extra), cases


# A Salesforce Data Export beside the mapped one, with records of the same ids (the same CRM exported twice,
# e.g. a Data Export and a report): object → (file columns, one row)
SALESFORCE_TWINS = {
    "Account": ("Id,Name,Region__c", "A1,Acme (Salesforce),EMEA"),
    "User": ("Id,Name,Division", "R1,Ada Lovelace (Salesforce),EMEA"),
    "Lead": ("Id,CreatedDate,LeadSource,IsConverted", "L1,2026-01-05T10:00:00.000Z,Web,false"),
    "Opportunity": (
        "Id,AccountId,OwnerId,Name,StageName,Amount,Probability,CloseDate,CreatedDate,IsClosed,IsWon",
        "O1,A1,R1,Acme deal,Closed Won,1200.50,100,2026-02-14,2026-01-10T09:00:00.000Z,true,true",
    ),
    "OpportunityLineItem": ("Id,OpportunityId,Product2Id,Quantity,UnitPrice,TotalPrice", "OL1,O1,P1,2,500.25,1000.50"),
    "Product2": ("Id,Name,Family", "P1,Platform (Salesforce),Software"),
    "Campaign": (
        "Id,Name,Type,StartDate,EndDate,ActualCost",
        "C1,Winter webinar (Salesforce),Web,2026-01-01,2026-01-31,310",
    ),
}

TWIN_MODELS = {  # unioned model → (id column, the shared id)
    "int_accounts_unioned": ("account_id", "A1"),
    "int_reps_unioned": ("rep_id", "R1"),
    "int_leads_unioned": ("lead_id", "L1"),
    "int_opportunities_unioned": ("opportunity_id", "O1"),
    "int_opportunity_lines_unioned": ("line_id", "OL1"),
    "int_products_unioned": ("product_id", "P1"),
    "int_campaign_sources_unioned": ("campaign_id", "C1"),
}


def write_salesforce_twins(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (header, row) in SALESFORCE_TWINS.items():
        (folder / f"{name}.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")


def test_every_spoiled_column_is_quarantined_with_its_rule_or_accepted_and_dbt_passes(
    spoiled: tuple[Run, list[Case]],
) -> None:
    run, cases = spoiled
    assert run.failure is None
    quarantined: dict[tuple[str, str, int], set[str]] = {}
    staged: dict[tuple[str, str, int], dict[str, object]] = {}
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        for entity in ENTITIES:
            for file, line, rule in con.execute(
                f"select _source_file, _source_line, rule from quarantine.canonical__{entity}"
            ).fetchall():
                quarantined.setdefault((entity, Path(file).name, line), set()).add(rule)
            result = con.execute(f"select * from staging.stg_canonical__{entity}")
            names = [d[0] for d in result.description]
            for values in result.fetchall():
                row = dict(zip(names, values, strict=True))
                staged[(entity, Path(row["_source_file"]).name, row["_source_line"])] = row
    outcomes = {}
    for case in cases:
        key = (case.entity, case.file, case.line)
        outcomes[case] = (quarantined.get(key, set()), [(staged[key][case.column],)] if key in staged else [])
    wrong = []
    for case, (rules, staged) in outcomes.items():
        rule = expected_rule(case)
        if rule is not None and (rule not in rules or staged):
            wrong.append(f"{case}: expected quarantine under {rule}, got rules {sorted(rules)}, staged {staged}")
        if rule is None and (rules or len(staged) != 1):
            wrong.append(f"{case}: expected accepted, got rules {sorted(rules)}, staged {staged}")
        if rule is None and case.spoilage == "blank" and staged != [(None,)]:
            wrong.append(f"{case}: a blank must be staged as NULL, got {staged}")
    assert wrong == []
    # every kind of spoilage ran on every entity: 11 entities, each column blanked, ids twice
    assert {c.entity for c in cases} == set(ENTITIES)
    assert sum(c.spoilage == "blank" for c in cases) == sum(len(columns) for columns in ENTITIES.values())
    assert sum(c.spoilage == "duplicate" for c in cases) == 2 * len(ID_COLUMNS)
    assert len(cases) > 150


def test_a_company_selling_at_a_loss_has_a_negative_predicted_clv_and_dbt_passes(
    spoiled: tuple[Run, list[Case]],
) -> None:
    run, _ = spoiled
    assert run.failure is None
    [(margin_pct,)] = run.query("select distinct company_gross_margin_pct from marts.customer_value")
    assert margin_pct < 0
    clvs = run.query("select predicted_clv from marts.customer_value where predicted_clv is not null")
    assert clvs and all(clv <= 0 for (clv,) in clvs) and any(clv < 0 for (clv,) in clvs)


def test_an_id_in_two_exports_is_staged_once(spoiled: tuple[Run, list[Case]]) -> None:
    run, _ = spoiled
    assert run.failure is None
    assert run.query("select count(*) from raw.canonical__opportunities where opportunity_id = 'X-TWICE'") == [(2,)]
    assert (
        len(run.query("select amount from staging.stg_canonical__opportunities where opportunity_id = 'X-TWICE'")) == 1
    )
    assert run.query("select count(*) from marts.fct_opportunities where opportunity_id = 'X-TWICE'") == [(1,)]


def test_an_id_in_a_salesforce_export_and_a_mapped_export_is_one_record_the_data_export_s(
    spoiled: tuple[Run, list[Case]],
) -> None:
    run, _ = spoiled
    assert run.failure is None
    for model, (column, shared) in TWIN_MODELS.items():
        sources = run.query(f"select _source_name from intermediate.{model} where {column} = ?", [shared])
        assert sources == [("salesforce",)], model


# --- whole nullable columns left blank

BLANKED = {  # entity → (column, which rows): one nullable column per entity
    "opportunities": ("created_date", lambda row: row["status"] == "open"),
    "accounts": ("created_date", lambda row: True),
    "leads": ("converted_date", lambda row: True),
    "opportunity_lines": ("cost", lambda row: True),
    "products": ("unit_cost", lambda row: True),
    "reps": ("team", lambda row: True),
    "campaigns": ("actual_cost", lambda row: True),
    "quotas": ("period_end", lambda row: True),
}


@pytest.fixture(scope="module")
def blanked(tmp_path_factory: pytest.TempPathFactory, config_env: None) -> Run:
    rows = base_rows()
    for entity, (column, which) in BLANKED.items():
        for row in rows[entity]:
            if which(row):
                row[column] = ""
    return run_pipeline(tmp_path_factory.mktemp("blanked"), rows)


def test_open_deals_without_created_date_are_open_with_null_age(blanked: Run) -> None:
    assert blanked.failure is None
    assert blanked.query("select count(*) from quarantine.canonical__opportunities") == [(0,)]
    # still open deals, in the current pipeline; their age is unknown
    assert blanked.query(
        "select as_of_date, rep_id, stage, open_opportunities, open_amount, avg_age_days from marts.pipeline_snapshot "
        "where is_run_as_of and open_opportunities > 0 order by rep_id"
    ) == [
        (date(2026, 5, 20), "R1", "Discovery", 1, Decimal("700.00"), None),
        (date(2026, 5, 20), "R2", "Negotiation", 1, Decimal("5000.00"), None),
    ]
    # open from the calendar's last day only (since when is unknown): April no longer counts them, May does. A rep
    # has a row per org its deals closed in (the reps history's teams, not the blanked ones): summed per rep.
    assert blanked.query(
        "select period_start, rep_id, sum(open_opportunities) from marts.rep_performance "
        "where grain = 'month' and period_start >= date '2026-04-01' group by 1, 2 order by 1, 2"
    ) == [
        (date(2026, 4, 1), "R1", 0),
        (date(2026, 4, 1), "R2", 0),
        (date(2026, 5, 1), "R1", 1),
        (date(2026, 5, 1), "R2", 1),
    ]
    assert blanked.query(
        "select opportunity_id, created_date, sales_cycle_days from marts.fct_opportunities "
        "where status = 'open' order by 1"
    ) == [("O6", None, None), ("O7", None, None)]


def test_blank_columns_leave_the_other_metrics_exact(blanked: Run) -> None:
    assert blanked.failure is None
    # revenue, wins and cycles of the closed deals are as in the clean export; creations count dated deals only
    assert blanked.query(
        "select period_start, revenue, deals_won, deals_lost, avg_sales_cycle_days, opportunities_created "
        "from marts.sales_by_period where grain = 'month' order by 1"
    ) == [
        (date(2026, 1, 1), Decimal("0.00"), 0, 0, None, 2),
        (date(2026, 2, 1), Decimal("1200.50"), 1, 1, Decimal("35.0"), 1),
        (date(2026, 3, 1), Decimal("2500.25"), 1, 0, Decimal("37.0"), 2),
        (date(2026, 4, 1), Decimal("3450.75"), 2, 0, Decimal("44.5"), 0),
        (date(2026, 5, 1), Decimal("0.00"), 0, 1, None, 1),
    ]


# --- a dbt failure is a bug of ours, and the command says so (runs last: it spoils the blanked warehouse)


def test_a_dbt_failure_says_transform_names_the_test_and_model_and_calls_it_our_bug(blanked: Run) -> None:
    # A status the audit refuses (status__in_accepted_values), written into raw behind its back: the audit
    # "missed" it, so dbt's accepted_values test on the unioned opportunities fails.
    with duckdb.connect(str(blanked.warehouse)) as con:
        con.execute(
            "insert into raw.canonical__opportunities by name select * replace ('pending' as status, "
            "'O-BUG' as opportunity_id) from raw.canonical__opportunities where opportunity_id = 'O1'"
        )
    result = CliRunner().invoke(
        app, ["run", "--inbox", str(blanked.root / "inbox"), "--warehouse", str(blanked.warehouse)]
    )
    out = " ".join(result.output.split())
    assert result.exit_code == 1, out
    assert "The run stopped during transform" in out
    assert "stopped before transform" not in out and "Fix or replace the file" not in out
    assert "dbt test accepted_values_int_opportunities_unioned_status__won__lost__open" in out
    assert "on intermediate.int_opportunities_unioned" in out
    assert "a bug in salesmetrics, not in your data" in out
    assert re.search(r"Run log: \S+/logs/run-\d{8}T\d{6}\.\d{6}-\d+\.log", out), out
    assert re.search(r"dbt's log: \S+/dbt\.log", out), out
    assert "Traceback" not in out and "\x1b[" not in out
