"""The canonical CRM model (docs/inputs.md): the entities every mapped source lands in, as audit-ready specs.

Each entity is an ExportObject (``raw.canonical__<entity>``, all text, plus ``_source_name`` and lineage) and a
Spec for the same GX audit the Salesforce objects get. Column kinds drive how a plain source column is
normalised by a mapping: ids and text trimmed, dates to ISO, money and quantities to '.' decimals, booleans to
true/false, status to won/lost/open.
"""

from __future__ import annotations

from babel.numbers import list_currencies

from pipelines.lib.audit.spec import Spec
from pipelines.lib.ingest.salesforce import ExportObject

TEXT, DATE, DATETIME, MONEY, NUMBER, BOOLEAN = "text", "date", "datetime", "money", "number", "boolean"

# entity → (column → kind); docs/inputs.md documents every one (tests/unit/test_docs.py checks)
ENTITIES: dict[str, dict[str, str]] = {
    "accounts": {
        "account_id": TEXT,
        "account_name": TEXT,
        "industry": TEXT,
        "segment": TEXT,
        "country": TEXT,
        "state": TEXT,
        "region": TEXT,
        "created_date": DATE,
    },
    "reps": {
        "rep_id": TEXT,
        "rep_name": TEXT,
        "manager_id": TEXT,
        "manager_name": TEXT,
        "team": TEXT,
        "region": TEXT,
        "is_active": BOOLEAN,
    },
    "leads": {
        "lead_id": TEXT,
        "created_date": DATE,
        "lead_source": TEXT,
        "status": TEXT,
        "is_converted": BOOLEAN,
        "converted_date": DATE,
        "converted_account_id": TEXT,
        "converted_opportunity_id": TEXT,
    },
    "opportunities": {
        "opportunity_id": TEXT,
        "account_id": TEXT,
        "owner_id": TEXT,
        "created_date": DATE,
        "close_date": DATE,
        "stage": TEXT,
        "status": TEXT,
        "amount": MONEY,
        "probability": NUMBER,
        "lead_source": TEXT,
        "type": TEXT,
        "campaign_id": TEXT,
        "region": TEXT,
        "currency": TEXT,
    },
    "opportunity_lines": {
        "line_id": TEXT,
        "opportunity_id": TEXT,
        "product_id": TEXT,
        "quantity": NUMBER,
        "unit_price": MONEY,
        "list_price": MONEY,
        "total_price": MONEY,
        "cost": MONEY,
    },
    "products": {
        "product_id": TEXT,
        "product_name": TEXT,
        "product_family": TEXT,
        "unit_cost": MONEY,
        "list_price": MONEY,
    },
    "stage_history": {"opportunity_id": TEXT, "stage": TEXT, "entered_at": DATETIME},
    "campaigns": {
        "campaign_id": TEXT,
        "campaign_name": TEXT,
        "channel": TEXT,
        "start_date": DATE,
        "end_date": DATE,
        "actual_cost": MONEY,
    },
    "quotas": {"rep_id": TEXT, "period_start": DATE, "period_end": DATE, "quota_amount": MONEY},
    # the rep's manager, team and region from valid_from until the rep's next valid_from (the org at a deal's close)
    "rep_history": {
        "rep_id": TEXT,
        "manager_id": TEXT,
        "manager_name": TEXT,
        "team": TEXT,
        "region": TEXT,
        "valid_from": DATE,
    },
    # units of the currency per one unit of a base currency (as Salesforce's ConversionRate); from start_date on,
    # or, without one, on every day no dated rate covers
    "currency_rates": {"currency": TEXT, "rate": NUMBER, "start_date": DATE},
}

STATUSES = ("won", "lost", "open")
# ISO 4217 codes (Babel's list, current and historic, any case): a currency column holds one of these, so a
# garbled code is quarantined as such rather than matched against an equally garbled rates file.
CURRENCY_CODES = tuple(sorted(list_currencies()))
# stage labels that name a closed outcome, in Salesforce and in HubSpot's default pipeline (compared trimmed,
# any case)
CLOSED_STAGE_LABELS = {"closed won": "won", "closed lost": "lost"}
SOURCE_NAME = "_source_name"


def _spec(entity: str, id_column: str | None, required: tuple[str, ...] = (), **extra: object) -> Spec:
    kinds = ENTITIES[entity]
    return Spec(
        id=id_column,
        required=required,
        dates=tuple(c for c, k in kinds.items() if k == DATE),
        datetimes=tuple(c for c, k in kinds.items() if k == DATETIME),
        amounts=tuple(c for c, k in kinds.items() if k in (MONEY, NUMBER) and c != "probability"),
        percents=tuple(c for c in kinds if c == "probability"),  # 0..100 or a 0..1 fraction: either way 0..100
        booleans=tuple(c for c, k in kinds.items() if k == BOOLEAN),
        **extra,
    )


CANONICAL_SPECS: dict[str, Spec] = {
    "accounts": _spec("accounts", "account_id"),
    "reps": _spec("reps", "rep_id"),
    "leads": _spec("leads", "lead_id", ("created_date",)),
    "opportunities": _spec(
        "opportunities",
        "opportunity_id",
        ("status",),
        sets={"status": STATUSES, "currency": CURRENCY_CODES},
        ordered=(("close_date", "created_date"),),
        # a won or lost deal is booked on its close date; an open deal may have none (never overdue), and any
        # deal may lack a created date (its cycle and age are then NULL)
        required_when={"close_date": ("status", ("won", "lost"), "closed")},
        # Stage labels are the company's own (HubSpot and Pipedrive pipelines are custom), so they are not
        # checked against audit.known_stages (Salesforce's); the status decides. A stage that names a closed
        # outcome must agree with it: otherwise the mapping's status map misses that label.
        stage_status=("stage", "status", CLOSED_STAGE_LABELS),
        # a deal in a currency without a rate on its close date is never summed unconverted
        converts={"currency": "close_date"},
    ),
    "opportunity_lines": _spec("opportunity_lines", "line_id", ("opportunity_id",)),
    "products": _spec("products", "product_id"),
    "stage_history": _spec("stage_history", None, ("opportunity_id", "stage", "entered_at")),
    "campaigns": _spec("campaigns", "campaign_id", ordered=(("end_date", "start_date"),)),
    "quotas": _spec(
        "quotas",
        None,
        ("rep_id", "period_start", "quota_amount"),
        ordered=(("period_end", "period_start"),),
        unique_key=("rep_id", "period_start"),  # staging keeps one quota per rep and start (the latest export's)
    ),
    "rep_history": _spec(
        "rep_history",
        None,
        ("rep_id", "valid_from"),
        unique_key=("rep_id", "valid_from"),  # one org per rep and day (staging keeps the latest export's)
    ),
    "currency_rates": _spec(
        "currency_rates",
        None,
        ("currency", "rate"),
        unique_key=("currency", "start_date"),  # one rate per currency and day (a blank start: the static rate)
        case_insensitive=("currency",),
        sets={"currency": CURRENCY_CODES},
    ),
}

CANONICAL_OBJECTS: tuple[ExportObject, ...] = tuple(
    ExportObject(
        name=entity,
        table=f"canonical__{entity}",
        columns=(*columns, SOURCE_NAME),
        required=(),
        description=f"Canonical {entity.replace('_', ' ')} from mapped exports (any CSV/Excel through a mapping file).",
    )
    for entity, columns in ENTITIES.items()
)


def canonical_object(entity: str) -> ExportObject:
    return next(obj for obj in CANONICAL_OBJECTS if obj.name == entity)


def is_canonical(obj: ExportObject) -> bool:
    return obj.table.startswith("canonical__")
