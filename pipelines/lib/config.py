"""Project settings from salesmetrics.yml (or the file SALES_CONFIG names), with defaults for every key."""

from __future__ import annotations

import copy
import functools
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from babel.numbers import is_currency

from pipelines.lib.settings import PROJECT_ROOT

DEFAULT_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)


@dataclass(frozen=True)
class AuditConfig:
    quarantine_max_share: float = 0.05
    min_date: date = date(2000, 1, 1)
    max_years_ahead: int = 5
    row_count_min_ratio: float = 0.5
    unresolved_reference_max_share: float = 0.02
    known_stages: tuple[str, ...] = field(default=DEFAULT_STAGES)

    def max_date(self, today: date | None = None) -> date:
        today = today or date.today()
        return today.replace(year=today.year + self.max_years_ahead, day=min(today.day, 28))


def config_path() -> Path:
    return Path(os.environ.get("SALES_CONFIG") or PROJECT_ROOT / "salesmetrics.yml")


def load_audit_config(path: Path | None = None) -> AuditConfig:
    audit = _section("audit", path)
    unknown = set(audit) - set(AuditConfig.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{path or config_path()}: unknown audit setting(s) {', '.join(sorted(unknown))}")
    if "known_stages" in audit:
        audit["known_stages"] = tuple(audit["known_stages"])
    if isinstance(audit.get("min_date"), str):
        audit["min_date"] = date.fromisoformat(audit["min_date"])
    return AuditConfig(**audit)


@dataclass(frozen=True)
class PublishConfig:
    timezone: str = "UTC"
    start_date: date = date(2023, 1, 1)
    hour_of_day: int = 6
    reporting_currency: str = "USD"  # ISO 4217 code the page and the workbook show money in


def _settings(path: Path | None = None) -> dict:
    """salesmetrics.yml as a mapping (empty when the file is missing or empty), a copy the caller may change."""
    path = path or config_path()
    return copy.deepcopy(_parsed(path.read_text()) if path.exists() else {})


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> dict:
    """The YAML parsed once per distinct content: a run reads the settings ~130 times (1.5 s of parsing)."""
    return dict(yaml.safe_load(text) or {})


def _section(name: str, path: Path | None = None) -> dict:
    return dict(_settings(path).get(name) or {})


def load_publish_config(path: Path | None = None) -> PublishConfig:
    section = _section("publish", path)
    unknown = set(section) - set(PublishConfig.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{path or config_path()}: unknown publish setting(s) {', '.join(sorted(unknown))}")
    if isinstance(section.get("start_date"), str):
        section["start_date"] = date.fromisoformat(section["start_date"])
    currency = str(section.get("reporting_currency", "USD")).strip().upper()
    if not is_currency(currency):
        raise ValueError(
            f"{path or config_path()}: publish: reporting_currency {section['reporting_currency']!r} is not an "
            "ISO 4217 currency code; write one such as USD, EUR or GBP"
        )
    section["reporting_currency"] = currency
    return PublishConfig(**section)


@dataclass(frozen=True)
class RunsConfig:
    # How long a run waits for another run (or a session holding the warehouse open) before it gives up.
    lock_wait_seconds: float = 180.0


def load_runs_config(path: Path | None = None) -> RunsConfig:
    section = _section("runs", path)
    unknown = set(section) - set(RunsConfig.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{path or config_path()}: unknown runs setting(s) {', '.join(sorted(unknown))}")
    return RunsConfig(**{key: float(value) for key, value in section.items()})


@dataclass(frozen=True)
class IngestConfig:
    # A file whose header has more columns than this is refused before it is read (an absurd or broken header).
    max_columns: int = 500
    # Every Opportunity export (of each source) is the whole list of deals: a deal missing from the newest one was
    # deleted in the CRM. Off by default: daily delta and partial exports leave out deals that still exist.
    opportunity_exports_complete: bool = False


def load_ingest_config(path: Path | None = None) -> IngestConfig:
    section = _section("ingest", path)
    unknown = set(section) - set(IngestConfig.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{path or config_path()}: unknown ingest setting(s) {', '.join(sorted(unknown))}")
    complete = section.get("opportunity_exports_complete", False)
    if not isinstance(complete, bool):
        raise ValueError(
            f"{path or config_path()}: ingest: opportunity_exports_complete is {complete!r}; write true or false"
        )
    section["opportunity_exports_complete"] = complete
    return IngestConfig(**{key: value if isinstance(value, bool) else int(value) for key, value in section.items()})


def dbt_settings(path: Path | None = None) -> dict[str, str]:
    """The settings of salesmetrics.yml dbt reads, as the environment variables dbt_project.yml's vars read them
    from. They are part of what decides whether a build has anything new to do (lib/transform/fingerprint.py)."""
    return {
        "SALES_REPORTING_CURRENCY": load_publish_config(path).reporting_currency,
        "SALES_OPPORTUNITY_EXPORTS_COMPLETE": str(load_ingest_config(path).opportunity_exports_complete).lower(),
    }


ENGINES = ("duckdb", "spark")
# The dbt target (dbt_project/profiles.yml) each engine builds with.
ENGINE_TARGETS = {"duckdb": "dev", "spark": "spark"}


def load_engine(path: Path | None = None) -> str:
    """The engine dbt builds the models on: SALES_ENGINE, else ``engine:`` in salesmetrics.yml, else duckdb.

    Ingest and audit always run on DuckDB; with ``spark`` dbt reads the raw tables exported as Parquet and builds on
    Spark (README "Spark"). The asset graph is the same for both.
    """
    chosen = os.environ.get("SALES_ENGINE")
    where = "SALES_ENGINE"
    if not chosen:
        chosen = str(_settings(path).get("engine") or "duckdb")
        where = f"{path or config_path()}: engine"
    engine = chosen.strip().lower()
    if engine not in ENGINES:
        raise ValueError(f"{where} is {chosen!r}; write one of {', '.join(ENGINES)}")
    return engine
