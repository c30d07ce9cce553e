"""The shape of a mapping file (see helpers' contract and README "Bring your own export"); extra keys are errors."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipelines.lib.ingest.canonical import ENTITIES


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unpivot(Strict):
    columns: list[str] | str  # names, or one glob such as "M*"
    name: str
    value: str


class FileSpec(Strict):
    pattern: str  # a glob relative to the mapping's anchor folder (README "Which mapping reads a file")
    encoding: Literal["utf-8", "utf-8-sig", "utf-16", "cp1252"] | None = None
    delimiter: Literal[",", ";", "\t", "|"] | None = None
    header: bool = True
    columns: list[str] | None = None
    sheet: str | None = None
    skip_rows: int = Field(0, ge=0)
    null_tokens: list[str] | None = None
    decimal: Literal[".", ","] | None = None
    thousands: Literal[".", ",", " ", "'"] | None = None
    date_format: str | None = None  # "auto" or None: detect
    unpivot: Unpivot | None = None


class Const(Strict):
    const: str | int | float | bool | None


class Lookup(Strict):
    """Translate the value through another file of the mapping: the ``value`` column of the row whose ``key``
    column equals it (e.g. an employee number to the id the sales file uses)."""

    from_: str = Field(alias="from")
    key: str
    value: str


class Mapped(Strict):
    column: str
    map: dict[str, str] = Field(default_factory=dict)
    default: str | None = None
    lookup: Lookup | None = None
    # true: a file without the column is read as if every row left it blank (e.g. a currency column that only
    # multi-currency portals export); false: a missing column is an error naming the file's columns
    optional: bool = False
    # true: read only from a file holding two or more distinct values in the column; a file of one value is read
    # as if blank (a Pipedrive export always carries "Deal - Currency": one currency is the reporting currency)
    mixed_only: bool = False


class Expr(Strict):
    expr: str


ColumnSource = str | Const | Mapped | Expr


class EntityBlock(Strict):
    from_: str = Field(alias="from")
    columns: dict[str, ColumnSource]
    where: str | None = None
    # true: one row per distinct mapped record (e.g. orders from an order-line file), at its first line
    distinct: bool = False
    # file columns: one row per group (e.g. campaigns from ad rows, orders from order lines), at its first line;
    # the other columns are aggregates (sum, min, max, count, count(distinct …)) or group_by columns
    group_by: list[str] | None = Field(None, min_length=1)


class Mapping(Strict):
    source: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str | None = None
    recognise: dict[str, list[str]] = Field(default_factory=dict)
    files: dict[str, FileSpec]
    entities: dict[str, EntityBlock | list[EntityBlock]]

    @field_validator("entities")
    @classmethod
    def _known_entities(cls, value: dict) -> dict:
        unknown = [name for name in value if name not in ENTITIES]
        if unknown:
            raise ValueError(f"unknown entity {', '.join(unknown)}; the canonical entities are {', '.join(ENTITIES)}")
        return value

    def blocks(self, entity: str) -> list[EntityBlock]:
        found = self.entities.get(entity)
        if found is None:
            return []
        return found if isinstance(found, list) else [found]
