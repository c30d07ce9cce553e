"""The sample generator writes a realistic, deterministic Salesforce Data Export set (salesforce.py contract)."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.lib.ingest import salesforce
from pipelines.lib.sample import RATE_OBJECTS, generate, write_export
from pipelines.lib.sample.ids import checksum
from pipelines.lib.sample.model import STAGES
from pipelines.lib.sample.vocab import LOCATIONS, REGIONS

END = date(2026, 6, 30)
SCALE = 2_000
END_TS = datetime(2026, 6, 30, 23, 59, 59)
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONEY = re.compile(r"^\d+(\.\d{1,2})?$")
ID = re.compile(r"^[0-9A-Za-z]{18}$")
CLOSED_WON, CLOSED_LOST = "closed won", "closed lost"

Rows = dict[str, list[dict[str, str]]]
# a single-currency org exports no CurrencyType or DatedConversionRate (sample --currencies writes them)
SINGLE_CURRENCY_OBJECTS = tuple(o for o in salesforce.ALL_OBJECTS if o.name not in RATE_OBJECTS)


def read(folder: Path) -> Rows:
    out = {}
    for obj in (o for o in salesforce.ALL_OBJECTS if (folder / o.file_name).exists()):
        with (folder / obj.file_name).open(newline="", encoding="utf-8") as handle:
            out[obj.name] = list(csv.DictReader(handle))
    return out


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.000Z")


def day(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("sample")
    counts = generate(folder, scale=SCALE, seed=11, end_date=END)
    return folder, counts


@pytest.fixture(scope="module")
def rows(export: tuple[Path, dict[str, int]]) -> Rows:
    return read(export[0])


@pytest.fixture(scope="module")
def opps(rows: Rows) -> list[dict[str, str]]:
    return rows["Opportunity"]


def test_same_inputs_give_identical_bytes_and_another_seed_differs(
    export: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    generate(tmp_path / "again", scale=SCALE, seed=11, end_date=END)
    generate(tmp_path / "other", scale=SCALE, seed=12, end_date=END)
    first = digests(export[0])
    assert digests(tmp_path / "again") == first
    other = digests(tmp_path / "other")
    assert other["Opportunity.csv"] != first["Opportunity.csv"]
    assert other["Account.csv"] != first["Account.csv"]


def test_chunk_size_does_not_change_a_byte(tmp_path: Path) -> None:
    write_export(tmp_path / "small", scale=1_500, seed=3, end_date=END, chunk_size=300)
    write_export(tmp_path / "one", scale=1_500, seed=3, end_date=END, chunk_size=5_000)
    write_export(tmp_path / "odd", scale=1_500, seed=3, end_date=END, chunk_size=777)
    assert digests(tmp_path / "small") == digests(tmp_path / "one") == digests(tmp_path / "odd")


def test_one_file_per_object_with_contract_headers_and_counts(export: tuple[Path, dict[str, int]]) -> None:
    folder, counts = export
    assert sorted(p.name for p in folder.iterdir()) == sorted(o.file_name for o in SINGLE_CURRENCY_OBJECTS)
    assert list(counts) == [o.file_name for o in SINGLE_CURRENCY_OBJECTS]
    for obj in SINGLE_CURRENCY_OBJECTS:
        raw = (folder / obj.file_name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
        raw.decode("utf-8")
        with (folder / obj.file_name).open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            assert tuple(next(reader)) == obj.columns
            body = list(reader)
        assert all(len(r) == len(obj.columns) for r in body), obj.name
        assert all("\n" not in v for r in body for v in r), obj.name
        assert counts[obj.file_name] == len(body) > 0, obj.name
    assert counts["Opportunity.csv"] == SCALE
    assert 1.2 * SCALE <= counts["Lead.csv"] <= 1.9 * SCALE
    assert 12 <= counts["User.csv"] <= 60
    assert 30 <= counts["Product2.csv"] <= 60 and 40 <= counts["Campaign.csv"] <= 80


def test_ids_are_unique_18_char_salesforce_ids(rows: Rows) -> None:
    prefixes = {
        "Account": "001",
        "User": "005",
        "Lead": "00Q",
        "Opportunity": "006",
        "OpportunityLineItem": "00k",
        "Product2": "01t",
        "OpportunityHistory": "008",
        "Campaign": "701",
        "Period": "026",
        "ForecastingQuota": "0J9",
    }
    for name, prefix in prefixes.items():
        ids = [r["Id"] for r in rows[name]]
        assert len(set(ids)) == len(ids), name
        for value in ids:
            assert ID.match(value) and value.startswith(prefix), (name, value)
            assert checksum(value[:15]) == value[15:], value


def test_every_reference_resolves(rows: Rows) -> None:
    ids = {name: {r["Id"] for r in rows[name]} for name in rows if name not in ("targets", "benchmarks", "fixed_costs")}
    refs = [
        ("Opportunity", "AccountId", "Account"),
        ("Opportunity", "OwnerId", "User"),
        ("Opportunity", "CampaignId", "Campaign"),
        ("Account", "OwnerId", "User"),
        ("User", "ManagerId", "User"),
        ("OpportunityLineItem", "OpportunityId", "Opportunity"),
        ("OpportunityLineItem", "Product2Id", "Product2"),
        ("OpportunityHistory", "OpportunityId", "Opportunity"),
        ("OpportunityHistory", "CreatedById", "User"),
        ("Lead", "ConvertedAccountId", "Account"),
        ("Lead", "ConvertedOpportunityId", "Opportunity"),
        ("Lead", "OwnerId", "User"),
        ("ForecastingQuota", "PeriodId", "Period"),
        ("ForecastingQuota", "QuotaOwnerId", "User"),
    ]
    for source, column, target in refs:
        values = {r[column] for r in rows[source] if r[column]}
        assert values, (source, column)
        assert values <= ids[target], (source, column, sorted(values - ids[target])[:3])
    assert sum(1 for r in rows["User"] if not r["ManagerId"]) == 1  # only the CRO reports to nobody


def test_value_formats(rows: Rows) -> None:
    for name, table in rows.items():
        for row in table:
            for column, value in row.items():
                if value == "":
                    continue
                if column in ("CreatedDate", "LastStageChangeDate"):
                    assert DATETIME.match(value), (name, column, value)
                elif column in ("CloseDate", "StartDate", "EndDate", "ConvertedDate", "ServiceDate", "period_start"):
                    assert DATE.match(value), (name, column, value)
                elif column in (
                    "Amount",
                    "UnitPrice",
                    "ListPrice",
                    "TotalPrice",
                    "List_Price__c",
                    "Unit_Cost__c",
                    "BudgetedCost",
                    "ActualCost",
                    "QuotaAmount",
                ):
                    assert MONEY.match(value), (name, column, value)
                elif column.startswith("Is"):
                    assert value in ("true", "false"), (name, column, value)
    for row in rows["Opportunity"]:
        assert 0 <= int(row["Probability"]) <= 100 and row["CurrencyIsoCode"] == "USD"
    assert any(r["Unit_Cost__c"] == "" for r in rows["Product2"])
    assert {r["Family"] for r in rows["Product2"]} == {"Hardware", "Software", "Services", "Support"}


def test_dates_are_consistent_with_the_end_date(rows: Rows, opps: list[dict[str, str]]) -> None:
    for name, table in rows.items():
        if "CreatedDate" in salesforce.by_name(name).columns:
            assert max(ts(r["CreatedDate"]) for r in table) <= END_TS, name
    first_created = min(ts(o["CreatedDate"]) for o in opps)
    assert date(2023, 6, 30) <= first_created.date() <= date(2023, 8, 15)
    for o in opps:
        created, close = ts(o["CreatedDate"]).date(), day(o["CloseDate"])
        assert close >= created, o["Id"]
        if o["IsClosed"] == "true":
            assert close <= END and ts(o["LastStageChangeDate"]).date() == close
        assert ts(o["CreatedDate"]) <= ts(o["LastStageChangeDate"]) <= END_TS
    for lead in rows["Lead"]:
        if lead["IsConverted"] == "true":
            assert day(lead["ConvertedDate"]) >= ts(lead["CreatedDate"]).date()
            assert lead["Status"] == "Closed - Converted" and lead["ConvertedOpportunityId"]
        else:
            assert not lead["ConvertedDate"] and not lead["ConvertedOpportunityId"]


def test_stages_probabilities_and_flags_agree(opps: list[dict[str, str]]) -> None:
    odd = [o["StageName"] for o in opps if o["StageName"] not in set(STAGES)]
    assert 0.01 * SCALE <= len(odd) <= 0.06 * SCALE, "about 3 % of stages carry odd case or trailing spaces"
    assert any(s != s.rstrip() for s in odd) and any(s == s.lower() for s in odd)
    for o in opps:
        stage = o["StageName"].strip().lower()
        assert (o["IsWon"] == "true") == (stage == CLOSED_WON), o["Id"]
        assert (o["IsClosed"] == "true") == (stage in (CLOSED_WON, CLOSED_LOST)), o["Id"]
        assert o["ForecastCategoryName"] == {CLOSED_WON: "Closed", CLOSED_LOST: "Omitted"}.get(
            stage, o["ForecastCategoryName"]
        )
        if o["IsClosed"] == "true":
            assert o["Amount"] != "" and o["Probability"] == ("100" if o["IsWon"] == "true" else "0")


def test_pipeline_shape_win_rate_open_stale_overdue(opps: list[dict[str, str]]) -> None:
    closed = [o for o in opps if o["IsClosed"] == "true"]
    won = [o for o in closed if o["IsWon"] == "true"]
    assert 0.15 <= len(won) / len(closed) <= 0.45
    open_ = [o for o in opps if o["IsClosed"] == "false"]
    assert 0.05 <= len(open_) / len(opps) <= 0.15
    overdue = [o for o in open_ if day(o["CloseDate"]) < END]
    stale = [o for o in open_ if (END_TS - ts(o["LastStageChangeDate"])).days > 30]
    assert 0 < len(overdue) < len(open_) and 0 < len(stale) < len(open_)
    assert all(o["Amount"] for o in closed) and any(not o["Amount"] for o in open_)
    assert {o["Type"] for o in opps} == {"New Business", "Existing Business"}
    campaign_share = sum(1 for o in opps if o["CampaignId"]) / len(opps)
    assert 0.15 <= campaign_share <= 0.45
    by_rep = defaultdict(list)
    for o in closed:
        by_rep[o["OwnerId"]].append(o["IsWon"] == "true")
    rates = [sum(v) / len(v) for v in by_rep.values() if len(v) >= 40]
    assert max(rates) - min(rates) > 0.08, "reps differ in skill"


def test_reps_managers_and_leavers(rows: Rows, opps: list[dict[str, str]]) -> None:
    users = {u["Id"]: u for u in rows["User"]}
    owners = {o["OwnerId"] for o in opps}
    reps = [u for u in users.values() if not (u["Title"] or "").startswith(("Sales Manager", "VP", "Chief"))]
    assert len(reps) == 12 and owners <= {u["Id"] for u in reps}  # max(12, min(400, 2000 // 400))
    assert {u["Department"] for u in reps} == {"Enterprise", "Mid-Market", "SMB", "Inside Sales"}
    for rep in reps:
        manager = users[rep["ManagerId"]]
        assert manager["Title"].startswith("Sales Manager") and manager["Department"] == rep["Department"]
        assert users[manager["ManagerId"]]["Title"].startswith("VP Sales")
    leavers = [u["Id"] for u in reps if u["IsActive"] == "false"]
    assert leavers
    for rep_id in leavers:
        last = max((ts(o["CreatedDate"]) for o in opps if o["OwnerId"] == rep_id), default=None)
        assert last is None or (END_TS - last).days > 30, "a rep who left gets no new deals"


def test_amount_is_the_sum_of_line_totals(rows: Rows, opps: list[dict[str, str]]) -> None:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in rows["OpportunityLineItem"]:
        quantity, unit, listed = int(line["Quantity"]), Decimal(line["UnitPrice"]), Decimal(line["ListPrice"])
        assert 1 <= quantity <= 50 and line["Discount"] == ""
        assert Decimal(line["TotalPrice"]) == unit * quantity
        assert listed * Decimal("0.75") - Decimal("0.01") <= unit <= listed
        totals[line["OpportunityId"]] += Decimal(line["TotalPrice"])
    per_deal = Counter(line["OpportunityId"] for line in rows["OpportunityLineItem"])
    assert set(per_deal.values()) <= {1, 2, 3, 4}
    won = [o for o in opps if o["IsWon"] == "true"]
    with_lines = [o for o in won if o["Id"] in totals]
    assert 0.9 * len(won) <= len(with_lines) < len(won), "a few won deals carry an Amount only"
    for o in opps:
        if o["Id"] in totals:
            assert Decimal(o["Amount"]) == totals[o["Id"]], o["Id"]


def test_stage_history_walks_forward(rows: Rows, opps: list[dict[str, str]]) -> None:
    history = defaultdict(list)
    for h in rows["OpportunityHistory"]:
        history[h["OpportunityId"]].append(h)
    assert 3 <= len(rows["OpportunityHistory"]) / len(opps) <= 5
    for o in opps:
        steps = history[o["Id"]]
        assert steps and steps[0]["StageName"] == "Prospecting"
        times = [ts(s["CreatedDate"]) for s in steps]
        assert times == sorted(times) and times[0] == ts(o["CreatedDate"])
        assert times[-1] == ts(o["LastStageChangeDate"])
        assert steps[-1]["StageName"].lower() == o["StageName"].strip().lower()


def test_leads_convert_at_different_rates_by_source(rows: Rows, opps: list[dict[str, str]]) -> None:
    by_source: dict[str, list[bool]] = defaultdict(list)
    for lead in rows["Lead"]:
        by_source[lead["LeadSource"]].append(lead["IsConverted"] == "true")
    rates = {s: sum(v) / len(v) for s, v in by_source.items() if len(v) >= 40}
    assert len(rates) >= 6
    assert max(rates.values()) - min(rates.values()) > 0.3
    assert 0.01 <= len(by_source[""]) / len(rows["Lead"]) <= 0.08
    opp_by_id = {o["Id"]: o for o in opps}
    for lead in rows["Lead"]:
        if lead["IsConverted"] == "true":
            opp = opp_by_id[lead["ConvertedOpportunityId"]]
            assert opp["AccountId"] == lead["ConvertedAccountId"]
            assert opp["CreatedDate"][:10] == lead["ConvertedDate"]


def test_repeat_customers_and_one_time_buyers(rows: Rows, opps: list[dict[str, str]]) -> None:
    won = Counter(o["AccountId"] for o in opps if o["IsWon"] == "true")
    assert sum(1 for n in won.values() if n >= 3) >= 10
    assert sum(1 for n in won.values() if n == 1) >= 10
    first = {}
    for o in sorted(opps, key=lambda o: (o["CreatedDate"], o["Id"])):
        first.setdefault(o["AccountId"], o["Id"])
    for o in opps:
        assert (o["Type"] == "New Business") == (first[o["AccountId"]] == o["Id"])
    accounts = rows["Account"]
    assert 0.01 <= sum(1 for a in accounts if a["Name"] != a["Name"].rstrip()) / len(accounts) <= 0.05
    region_share = sum(1 for a in accounts if a["Region__c"]) / len(accounts)
    assert 0.6 <= region_share <= 0.8
    region_of = {country: REGIONS[region] for country, region, _, _ in LOCATIONS}
    assert all(a["Region__c"] in ("", region_of[a["BillingCountry"]]) for a in accounts)
    customers = {a["Id"] for a in accounts if a["Type"] == "Customer"}
    assert customers == set(won)
    first_deal = {}
    for o in opps:
        first_deal[o["AccountId"]] = min(first_deal.get(o["AccountId"], o["CreatedDate"]), o["CreatedDate"])
    for a in accounts:
        assert a["Id"] not in first_deal or a["CreatedDate"] <= first_deal[a["Id"]]
    assert {a["Segment__c"] for a in accounts} == {"SMB", "Mid-Market", "Enterprise"}


def test_quotas_periods_and_targets(rows: Rows, opps: list[dict[str, str]]) -> None:
    periods = {p["Id"]: p for p in rows["Period"]}
    assert {p["Type"] for p in periods.values()} == {"Month", "Quarter"}
    quota_types = Counter(periods[q["PeriodId"]]["Type"] for q in rows["ForecastingQuota"])
    assert quota_types["Month"] > 0 and quota_types["Quarter"] > 0
    for q in rows["ForecastingQuota"]:
        assert q["StartDate"] == periods[q["PeriodId"]]["StartDate"] and Decimal(q["QuotaAmount"]) > 0
    won = defaultdict(Decimal)
    for o in opps:
        if o["IsWon"] == "true":
            won[(o["OwnerId"], o["CloseDate"][:7])] += Decimal(o["Amount"])
    attainment = sorted(
        won[(q["QuotaOwnerId"], q["StartDate"][:7])] / Decimal(q["QuotaAmount"])
        for q in rows["ForecastingQuota"]
        if periods[q["PeriodId"]]["Type"] == "Month" and won[(q["QuotaOwnerId"], q["StartDate"][:7])] > 0
    )
    median = attainment[len(attainment) // 2]
    assert Decimal("0.6") <= median <= Decimal("1.4")
    targets = rows["targets"]
    growth = [t for t in targets if t["growth_rate"]]
    assert len(growth) == 12 and all(t["kpi"] == "revenue" and t["growth_rate"] == "0.15" for t in growth)
    assert growth[-1]["period_start"] == "2026-06-01" and all(not t["target_value"] for t in growth)
    assert {(t["kpi"], t["scope"], t["grain"]) for t in targets if t["target_value"]} == {
        ("win_rate", "company", "month"),
        ("new_customers", "company", "month"),
        ("revenue", "team", "quarter"),
    }
    assert {t["scope_id"] for t in targets if t["scope"] == "team"} == {
        u["Department"] for u in rows["User"] if u["Department"] != "Sales Leadership"
    }


def test_scale_is_exact_for_tiny_exports(tmp_path: Path) -> None:
    counts = generate(tmp_path, scale=7, seed=1, end_date=END)
    assert counts["Opportunity.csv"] == 7 and counts["Account.csv"] == 1
    assert (tmp_path / "Opportunity.csv").read_bytes().count(b"\n") == 8


def test_benchmarks_and_fixed_costs(rows: Rows) -> None:
    """Benchmarks name scorecard KPIs (rates as fractions); fixed costs cover every month once, end to end."""
    benchmarks = {b["kpi"]: b for b in rows["benchmarks"]}
    assert {"win_rate", "avg_sales_cycle_days", "quota_attainment"} <= set(benchmarks)
    assert all(0 < float(benchmarks[k]["benchmark_value"]) < 1 for k in ("win_rate", "quota_attainment"))
    assert all("illustrative" in b["benchmark_label"] for b in benchmarks.values())
    costs = rows["fixed_costs"]
    starts = [date.fromisoformat(c["period_start"]) for c in costs]
    ends = [date.fromisoformat(c["period_end"]) for c in costs]
    assert all(s.day == 1 and (e + timedelta(days=1)).day == 1 for s, e in zip(starts, ends, strict=True))
    assert all(next_start == end + timedelta(days=1) for end, next_start in zip(ends, starts[1:], strict=False))
    assert all(float(c["fixed_cost"]) > 0 for c in costs)


def test_currencies_make_a_multi_currency_org_with_quarterly_dated_rates(
    export: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    generate(tmp_path / "multi", scale=SCALE, seed=11, end_date=END, currencies=("EUR", "GBP"))
    multi = read(tmp_path / "multi")
    codes = Counter(o["CurrencyIsoCode"] for o in multi["Opportunity"])
    assert set(codes) == {"USD", "EUR", "GBP"} and min(codes.values()) > SCALE / 4
    assert [(c["IsoCode"], c["ConversionRate"], c["IsCorporate"]) for c in multi["CurrencyType"]] == [
        ("USD", "1.000000", "true"),
        ("EUR", "0.920000", "false"),
        ("GBP", "0.790000", "false"),
    ]
    dated = multi["DatedConversionRate"]
    for code in ("EUR", "GBP"):
        spans = [(r["StartDate"], r["NextStartDate"]) for r in dated if r["IsoCode"] == code]
        assert spans[0][0] == "2023-07-01" and spans[-1] == ("2026-04-01", "")  # a quarter each, the last open
        assert all(prev[1] == nxt[0] for prev, nxt in zip(spans, spans[1:], strict=False)) and len(spans) == 12
        assert all(Decimal(r["ConversionRate"]) > 0 for r in dated)
    # only the currency column differs from the single-currency org: the same deals, amounts and lines
    single = export[0]
    assert (tmp_path / "multi" / "OpportunityLineItem.csv").read_bytes() == (
        single / "OpportunityLineItem.csv"
    ).read_bytes()
    drop = lambda rows: [{k: v for k, v in r.items() if k != "CurrencyIsoCode"} for r in rows]  # noqa: E731
    assert drop(multi["Opportunity"]) == drop(read(single)["Opportunity"])
