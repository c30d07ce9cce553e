"""A small canonical export set (every entity, a few dozen rows) written as CSVs with an identity mapping.yml.

Used by test_input_never_fails_dbt.py: the clean rows give exact metrics, and spoiled copies of them (one
spoiled column per row) show that any input either is quarantined with a reason or is accepted, and that
dbt never fails on it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from pipelines.lib.ingest.canonical import ENTITIES

SOURCE = "fixture"

# entity → rows (dicts by canonical column; missing keys are blank)
BASE: dict[str, list[dict[str, str]]] = {
    "accounts": [
        {
            "account_id": "A1",
            "account_name": "Acme",
            "industry": "Retail",
            "segment": "SMB",
            "country": "DE",
            "state": "BE",
            "region": "EMEA",
            "created_date": "2025-06-01",
        },
        {
            "account_id": "A2",
            "account_name": "Globex",
            "industry": "Energy",
            "segment": "Enterprise",
            "country": "US",
            "state": "CA",
            "region": "AMER",
            "created_date": "2025-07-15",
        },
        {
            "account_id": "A3",
            "account_name": "Initech",
            "industry": "Software",
            "segment": "Mid-Market",
            "country": "FR",
            "region": "EMEA",
            "created_date": "2025-08-20",
        },
    ],
    "reps": [
        {
            "rep_id": "R1",
            "rep_name": "Ada Lovelace",
            "manager_id": "R3",
            "manager_name": "Grace Hopper",
            "team": "North",
            "region": "EMEA",
            "is_active": "true",
        },
        {
            "rep_id": "R2",
            "rep_name": "Alan Turing",
            "manager_id": "R3",
            "manager_name": "Grace Hopper",
            "team": "South",
            "region": "AMER",
            "is_active": "true",
        },
        {"rep_id": "R3", "rep_name": "Grace Hopper", "team": "North", "region": "EMEA", "is_active": "false"},
    ],
    "leads": [
        {
            "lead_id": "L1",
            "created_date": "2026-01-05",
            "lead_source": "Web",
            "status": "Converted",
            "is_converted": "true",
            "converted_date": "2026-01-10",
            "converted_account_id": "A1",
            "converted_opportunity_id": "O1",
        },
        {
            "lead_id": "L2",
            "created_date": "2026-02-03",
            "lead_source": "Partner",
            "status": "Open",
            "is_converted": "false",
        },
        {
            "lead_id": "L3",
            "created_date": "2026-03-12",
            "lead_source": "Web",
            "status": "Converted",
            "is_converted": "true",
            "converted_date": "2026-03-20",
            "converted_account_id": "A2",
            "converted_opportunity_id": "O4",
        },
        {
            "lead_id": "L4",
            "created_date": "2026-04-01",
            "lead_source": "Event",
            "status": "Disqualified",
            "is_converted": "false",
        },
    ],
    "opportunities": [
        {
            "opportunity_id": "O1",
            "account_id": "A1",
            "owner_id": "R1",
            "created_date": "2026-01-10",
            "close_date": "2026-02-14",
            "stage": "Closed Won",
            "status": "won",
            "amount": "1200.50",
            "probability": "100",
            "lead_source": "Web",
            "type": "New Business",
            "campaign_id": "C1",
        },
        {
            "opportunity_id": "O2",
            "account_id": "A2",
            "owner_id": "R2",
            "created_date": "2026-01-20",
            "close_date": "2026-02-25",
            "stage": "Closed Lost",
            "status": "lost",
            "amount": "800",
            "probability": "0",
            "lead_source": "Partner",
            "type": "New Business",
        },
        {
            "opportunity_id": "O3",
            "account_id": "A3",
            "owner_id": "R1",
            "created_date": "2026-02-01",
            "close_date": "2026-03-10",
            "stage": "Closed Won",
            "status": "won",
            "amount": "2500.25",
            "probability": "100",
            "lead_source": "Event",
            "type": "New Business",
            "campaign_id": "C2",
        },
        {
            "opportunity_id": "O4",
            "account_id": "A2",
            "owner_id": "R2",
            "created_date": "2026-03-20",
            "close_date": "2026-04-18",
            "stage": "Closed Won",
            "status": "won",
            "amount": "3000",
            "probability": "100",
            "lead_source": "Web",
            "type": "New Business",
            "region": "AMER",
        },
        {
            "opportunity_id": "O5",
            "account_id": "A1",
            "owner_id": "R1",
            "created_date": "2026-03-01",
            "close_date": "2026-04-30",
            "stage": "Closed Won",
            "status": "won",
            "amount": "450.75",
            "probability": "100",
            "lead_source": "Web",
            "type": "Existing Business",
        },
        {
            "opportunity_id": "O6",
            "account_id": "A3",
            "owner_id": "R2",
            "created_date": "2026-04-02",
            "close_date": "2026-06-30",
            "stage": "Negotiation",
            "status": "open",
            "amount": "5000",
            "probability": "60",
            "lead_source": "Partner",
            "type": "New Business",
        },
        {
            "opportunity_id": "O7",
            "account_id": "A2",
            "owner_id": "R1",
            "created_date": "2026-04-15",
            "close_date": "2026-07-31",
            "stage": "Discovery",
            "status": "open",
            "amount": "700",
            "probability": "20",
            "lead_source": "Web",
            "type": "Existing Business",
        },
        {
            "opportunity_id": "O8",
            "account_id": "A1",
            "owner_id": "R2",
            "created_date": "2026-05-02",
            "close_date": "2026-05-20",
            "stage": "Closed Lost",
            "status": "lost",
            "amount": "300",
            "probability": "0",
            "lead_source": "Event",
            "type": "New Business",
        },
    ],
    "opportunity_lines": [
        {
            "line_id": "OL1",
            "opportunity_id": "O1",
            "product_id": "P1",
            "quantity": "2",
            "unit_price": "500.25",
            "list_price": "550",
            "total_price": "1000.50",
            "cost": "400",
        },
        {
            "line_id": "OL2",
            "opportunity_id": "O1",
            "product_id": "P2",
            "quantity": "1",
            "unit_price": "200",
            "list_price": "200",
            "total_price": "200",
            "cost": "50",
        },
        {
            "line_id": "OL3",
            "opportunity_id": "O3",
            "product_id": "P1",
            "quantity": "5",
            "unit_price": "500.05",
            "list_price": "550",
            "total_price": "2500.25",
            "cost": "1000",
        },
        {
            "line_id": "OL4",
            "opportunity_id": "O4",
            "product_id": "P2",
            "quantity": "15",
            "unit_price": "200",
            "list_price": "200",
            "total_price": "3000",
            "cost": "750",
        },
        {
            "line_id": "OL5",
            "opportunity_id": "O6",
            "product_id": "P1",
            "quantity": "10",
            "unit_price": "500",
            "list_price": "550",
            "total_price": "5000",
        },
    ],
    "products": [
        {
            "product_id": "P1",
            "product_name": "Platform",
            "product_family": "Software",
            "unit_cost": "200",
            "list_price": "550",
        },
        {
            "product_id": "P2",
            "product_name": "Support",
            "product_family": "Services",
            "unit_cost": "50",
            "list_price": "200",
        },
    ],
    "stage_history": [
        {"opportunity_id": "O1", "stage": "Discovery", "entered_at": "2026-01-10 09:00:00"},
        {"opportunity_id": "O1", "stage": "Closed Won", "entered_at": "2026-02-14 16:00:00"},
        {"opportunity_id": "O6", "stage": "Discovery", "entered_at": "2026-04-02 10:00:00"},
        {"opportunity_id": "O6", "stage": "Negotiation", "entered_at": "2026-05-10 11:30:00"},
        {"opportunity_id": "O7", "stage": "Discovery", "entered_at": "2026-04-15 08:15:00"},
    ],
    "campaigns": [
        {
            "campaign_id": "C1",
            "campaign_name": "Winter webinar",
            "channel": "Web",
            "start_date": "2026-01-01",
            "end_date": "2026-01-31",
            "actual_cost": "310",
        },
        {
            "campaign_id": "C2",
            "campaign_name": "Spring fair",
            "channel": "Event",
            "start_date": "2026-02-01",
            "end_date": "2026-02-28",
            "actual_cost": "560",
        },
    ],
    "quotas": [
        {"rep_id": "R1", "period_start": "2026-01-01", "period_end": "2026-03-31", "quota_amount": "3000"},
        {"rep_id": "R2", "period_start": "2026-01-01", "period_end": "2026-03-31", "quota_amount": "2000"},
        {"rep_id": "R1", "period_start": "2026-04-01", "period_end": "2026-06-30", "quota_amount": "3000"},
        {"rep_id": "R2", "period_start": "2026-04-01", "period_end": "2026-06-30", "quota_amount": "2000"},
    ],
}

# ISO codes no base row uses, one per spoiled rate row (a code must be ISO 4217: currency__in_accepted_values)
SPARE_CURRENCIES = (
    "AED",
    "AUD",
    "BRL",
    "CAD",
    "CHF",
    "CNY",
    "CZK",
    "DKK",
    "HKD",
    "HUF",
    "INR",
    "JPY",
    "KRW",
    "MXN",
    "NOK",
)
BASE["rep_history"] = [  # the reps' teams of the reps file, from before the first deal: figures unchanged
    {"rep_id": "R1", "manager_id": "R3", "team": "North", "region": "EMEA", "valid_from": "2025-01-01"},
    {"rep_id": "R2", "manager_id": "R3", "team": "South", "region": "AMER", "valid_from": "2025-01-01"},
]
BASE["currency_rates"] = [  # the deals carry no currency: rates that convert nothing
    {"currency": "EUR", "rate": "0.9", "start_date": "2026-01-01"},
    {"currency": "USD", "rate": "1", "start_date": ""},
]

ID_COLUMNS = {
    "accounts": "account_id",
    "reps": "rep_id",
    "leads": "lead_id",
    "opportunities": "opportunity_id",
    "opportunity_lines": "line_id",
    "products": "product_id",
    "campaigns": "campaign_id",
}


def base_rows() -> dict[str, list[dict[str, str]]]:
    return {entity: [dict(row) for row in rows] for entity, rows in BASE.items()}


def write_export(
    folder: Path, rows: dict[str, list[dict[str, str]]], extra_files: dict[str, list[dict[str, str]]] | None = None
) -> Path:
    """One CSV per entity (`crm_<entity>.csv`; `crm_<entity>-<suffix>.csv` for extra files), an identity mapping.yml.

    (Prefixed: a file named like a Salesforce object, e.g. opportunity_lines.csv, is read as that object.)
    """
    folder.mkdir(parents=True, exist_ok=True)
    # one file key per file (two files matching one key would be refused as a conflicting claim); an entity with
    # extra files is a list of blocks, one per file
    names = [*rows, *(extra_files or {})]
    files = {name: {"pattern": f"crm_{name}.csv"} for name in names}
    entities: dict[str, list[dict]] = {}
    for name in names:
        entity = name.split("-", 1)[0]
        entities.setdefault(entity, []).append(
            {"from": name, "columns": {column: column for column in ENTITIES[entity]}}
        )
    mapping = {
        "source": SOURCE,
        "description": "Test fixture: every canonical column mapped to the column of the same name.",
        "files": files,
        "entities": {entity: blocks[0] if len(blocks) == 1 else blocks for entity, blocks in entities.items()},
    }
    (folder / "mapping.yml").write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    for name, entity_rows in {**rows, **(extra_files or {})}.items():
        entity = name.split("-", 1)[0]
        with (folder / f"crm_{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(ENTITIES[entity]))
            writer.writeheader()
            for row in entity_rows:
                writer.writerow({c: row.get(c, "") for c in ENTITIES[entity]})
    return folder


# What each kind of column is spoiled with (besides blanking, which every column gets).
SPOILERS: dict[str, dict[str, str]] = {
    "text": {"garbage": "?? <b>garbage</b> ;,\"'"},
    "date": {"garbage": "not a date", "far_future": "2199-01-01", "far_past": "1901-01-01"},
    "datetime": {"garbage": "yesterday-ish", "far_future": "2199-01-01 10:00:00"},
    "money": {"garbage": "12 apples", "negative": "-5"},
    "number": {"garbage": "many", "negative": "-5"},
    "boolean": {"garbage": "maybe"},
}


def spoiled_rows(entity: str, kinds: dict[str, str]) -> list[tuple[str, str, dict[str, str]]]:
    """(column, spoilage, row): one copy of the entity's first clean row per column and spoilage, the spoiled
    column changed and, where the entity has an id, a fresh id so each copy is its own record."""
    template = BASE[entity][0]
    id_column = ID_COLUMNS.get(entity)
    out = []
    for column, kind in kinds.items():
        for spoilage, value in {"blank": "", **SPOILERS[kind]}.items():
            row = dict(template)
            if id_column:
                row[id_column] = f"S-{entity}-{column}-{spoilage}"
            elif entity in ("quotas", "rep_history"):  # keyed by rep and a date
                row["rep_id"] = f"S-{column}-{spoilage}"
            elif entity == "currency_rates":  # a rate is keyed by currency and start date: a code of its own
                row["currency"] = SPARE_CURRENCIES[len(out)]
            row[column] = value
            out.append((column, spoilage, row))
    if id_column:  # the same id twice in one file
        for _ in (1, 2):
            out.append((id_column, "duplicate", {**template, id_column: f"S-{entity}-dup"}))
    return out
