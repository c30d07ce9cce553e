"""A small export in the layout of the public "CRM Sales Opportunities" dataset (Maven Analytics; on Kaggle as
"CRM + Sales + Opportunities"), generated here, seeded: nothing is copied from the real data.

Five files, as the dataset ships them:

- ``sales_pipeline.csv``: opportunity_id, sales_agent, product, account, deal_stage, engage_date, close_date,
  close_value. ``account`` is empty for deals still at Prospecting (and for some at Engaging), ``engage_date`` is
  empty at Prospecting, ``close_date`` and ``close_value`` are empty for open deals, ``close_value`` is 0 for lost
  deals and an integer for won ones.
- ``accounts.csv``: account, sector, year_established, revenue (millions), employees, office_location,
  subsidiary_of (mostly empty).
- ``products.csv``: product, series, sales_price.
- ``sales_teams.csv``: sales_agent, manager, regional_office.
- ``data_dictionary.csv``: Table, Field, Description (documentation, not data).

The real data's quirk is kept: products.csv spells ``GTX Pro`` where sales_pipeline.csv spells ``GTXPro``.

``python -m tests.integration.maven_crm_fixture FOLDER`` writes the files into FOLDER.
"""

from __future__ import annotations

import csv
import random
import string
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

PIPELINE_HEADER = ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date",
                   "close_value"]  # fmt: skip
ACCOUNTS_HEADER = ["account", "sector", "year_established", "revenue", "employees", "office_location",
                   "subsidiary_of"]  # fmt: skip
# product, series, sales_price (invented prices); "GTX Pro" is spelt "GTXPro" in the pipeline file
PRODUCTS = [
    ("GTX Basic", "GTX", 560), ("GTX Pro", "GTX", 4790), ("MG Special", "MG", 60), ("MG Advanced", "MG", 3350),
    ("GTX Plus Pro", "GTX", 5400), ("GTX Plus Basic", "GTX", 1120), ("GTK 500", "GTK", 26500),
]  # fmt: skip
PIPELINE_SPELLING = {"GTX Pro": "GTXPro"}
# manager → (regional office, agents); invented names
TEAMS = {
    "Dana Okafor": ("Central", ["Moses Frase", "Lena Vaughn", "Tobias Wren"]),
    "Rafael Quint": ("East", ["Ines Carrow", "Milo Hartigan"]),
    "Priya Stanhope": ("East", ["Odette Lum", "Caspar Bellweather", "June Ansel"]),
    "Halvard Reyes": ("West", ["Noor Castellan", "Ezekiel Prout"]),
}
SECTORS = [
    "technolgy",
    "medical",
    "retail",
    "software",
    "finance",
    "marketing",
    "entertainment",
    "telecommunications",
    "services",
    "employment",
]  # fmt: skip  (the real file spells "technolgy")
LOCATIONS = ["United States", "United States", "United States", "Philipines", "Japan", "Norway", "Kenya", "Panama"]
STAGES = ["Won"] * 48 + ["Lost"] * 30 + ["Engaging"] * 15 + ["Prospecting"] * 7
FIRST_ENGAGE, LAST_ENGAGE, LAST_CLOSE = date(2016, 10, 20), date(2017, 12, 27), date(2017, 12, 31)
DICTIONARY = [
    ("accounts", "account", "Company name"),
    ("accounts", "sector", "Industry"),
    ("accounts", "year_established", "Year Established"),
    ("accounts", "revenue", "Annual revenue (in millions of USD)"),
    ("accounts", "employees", "Number of employees"),
    ("accounts", "office_location", "Headquarters"),
    ("accounts", "subsidiary_of", "Parent company"),
    ("products", "product", "Product name"),
    ("products", "series", "Product series"),
    ("products", "sales_price", "Suggested retail price"),
    ("sales_teams", "sales_agent", "Sales agent"),
    ("sales_teams", "manager", "Respective sales manager"),
    ("sales_teams", "regional_office", "Regional office"),
    ("sales_pipeline", "opportunity_id", "Unique identifier"),
    ("sales_pipeline", "sales_agent", "Sales agent"),
    ("sales_pipeline", "product", "Product name"),
    ("sales_pipeline", "account", "Company name"),
    ("sales_pipeline", "deal_stage", "Sales pipeline stage (Prospecting > Engaging > Won / Lost)"),
    ("sales_pipeline", "engage_date", 'Date in which the "Engaging" deal stage was initiated'),
    ("sales_pipeline", "close_date", 'Date in which the deal was "Won" or "Lost"'),
    ("sales_pipeline", "close_value", "Revenue from the deal"),
]


@dataclass(frozen=True)
class MavenCrm:
    pipeline: list[dict[str, str]]
    accounts: list[dict[str, str]]
    products: list[dict[str, str]]
    teams: list[dict[str, str]]


def maven_crm(seed: int = 36, deals: int = 200) -> MavenCrm:
    rng = random.Random(seed)
    products = [{"product": name, "series": series, "sales_price": str(price)} for name, series, price in PRODUCTS]
    teams = [
        {"sales_agent": agent, "manager": manager, "regional_office": office}
        for manager, (office, agents) in TEAMS.items()
        for agent in agents
    ]
    syllables = ["Acme", "Blue", "Cone", "Dal", "Fin", "Gogo", "Hot", "Iso", "Kin", "Lat", "Mus", "Nam", "Ope", "Plus"]
    names: list[str] = []
    while len(names) < 24:
        name = f"{rng.choice(syllables)}{rng.choice(syllables).lower()}{rng.choice(['', 'tech', 'ex', 'ity', 'dom'])}"
        if name not in names:
            names.append(name)
    names[5] = "Betasoloin, Inc."  # a comma inside a quoted value
    accounts = []
    for number, name in enumerate(names):
        accounts.append({
            "account": name, "sector": rng.choice(SECTORS), "year_established": str(rng.randint(1979, 2017)),
            "revenue": f"{rng.randrange(400, 1_100_000) / 100:.2f}", "employees": str(rng.randint(9, 34_000)),
            "office_location": rng.choice(LOCATIONS),
            "subsidiary_of": names[0] if number in (7, 13) else names[2] if number == 19 else "",
        })  # fmt: skip
    price = {name: value for name, _, value in PRODUCTS}
    agents = [team["sales_agent"] for team in teams]
    pipeline = []
    ids: set[str] = set()
    span = (LAST_ENGAGE - FIRST_ENGAGE).days
    for _ in range(deals):
        opportunity_id = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))
        while opportunity_id in ids:
            opportunity_id = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))
        ids.add(opportunity_id)
        stage = rng.choice(STAGES)
        product = rng.choice(PRODUCTS)[0]
        row = {
            "opportunity_id": opportunity_id, "sales_agent": rng.choice(agents),
            "product": PIPELINE_SPELLING.get(product, product), "account": rng.choice(names), "deal_stage": stage,
            "engage_date": "", "close_date": "", "close_value": "",
        }  # fmt: skip
        if stage == "Prospecting":
            row["account"] = ""
        else:
            engaged = FIRST_ENGAGE + timedelta(days=rng.randrange(span))
            row["engage_date"] = engaged.isoformat()
            if stage == "Engaging" and rng.random() < 0.3:
                row["account"] = ""
            if stage in ("Won", "Lost"):
                days = rng.randint(1, min(138, (LAST_CLOSE - engaged).days))  # closed by the data's last day
                row["close_date"] = (engaged + timedelta(days=days)).isoformat()
                value = round(price[product] * rng.uniform(0.8, 1.2))
                row["close_value"] = str(value) if stage == "Won" else "0"
        pipeline.append(row)
    return MavenCrm(pipeline, accounts, products, teams)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]] | list[tuple[str, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        if rows and isinstance(rows[0], dict):
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)  # type: ignore[arg-type]
        else:
            plain = csv.writer(handle)
            plain.writerow(header)
            plain.writerows(rows)  # type: ignore[arg-type]


def write_maven_crm(folder: Path, data: MavenCrm) -> None:
    """The five files of the dataset into ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "sales_pipeline.csv", PIPELINE_HEADER, data.pipeline)
    write_csv(folder / "accounts.csv", ACCOUNTS_HEADER, data.accounts)
    write_csv(folder / "products.csv", ["product", "series", "sales_price"], data.products)
    write_csv(folder / "sales_teams.csv", ["sales_agent", "manager", "regional_office"], data.teams)
    write_csv(folder / "data_dictionary.csv", ["Table", "Field", "Description"], DICTIONARY)


if __name__ == "__main__":
    write_maven_crm(Path(sys.argv[1]), maven_crm())
