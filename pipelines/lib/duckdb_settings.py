"""The memory every DuckDB connection of the pipeline may use, and where it spills beyond that.

One setting for all of them (salesmetrics.yml, section ``duckdb``): ingest and audit (pipelines.lib.ingest,
pipelines.lib.audit, through the Dagster resource or directly), Great Expectations (duckdb-engine) and dbt (its
profile reads SALES_DUCKDB_MEMORY_LIMIT and SALES_DUCKDB_TEMP_DIRECTORY, which ``dbt_environment`` fills). A
query larger than ``memory_limit`` spills to ``temp_directory`` and goes on, slower, instead of taking the
machine's memory. DuckDB refuses two connections of one process to one file with different settings, so every
connection must take them from here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.lib.config import _section, config_path

MAX_DEFAULT_MIB = 4 * 1024  # the default is half the machine's memory, at most this (docs/benchmarks.md, 10M)


def machine_memory_mib() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20


def default_memory_limit() -> str:
    return f"{min(machine_memory_mib() // 2, MAX_DEFAULT_MIB)}MiB"


@dataclass(frozen=True)
class DuckDBSettings:
    memory_limit: str
    temp_directory: str | None = None  # None: DuckDB's own, <warehouse>.tmp beside the warehouse (data/)

    def config(self) -> dict[str, str]:
        """For duckdb.connect(config=…), dagster-duckdb's connection_config and duckdb-engine's connect_args."""
        spill = {"temp_directory": self.temp_directory} if self.temp_directory else {}
        return {"memory_limit": self.memory_limit, **spill}


def duckdb_settings(path: Path | None = None) -> DuckDBSettings:
    """salesmetrics.yml's settings, else the defaults: half the machine's memory, at most 4 GiB; spill beside the
    warehouse. A relative temp_directory is relative to the folder of salesmetrics.yml."""
    path = path or config_path()
    section = _section("duckdb", path)
    unknown = set(section) - set(DuckDBSettings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{path}: unknown duckdb setting(s) {', '.join(sorted(unknown))}")
    temp = Path(str(section["temp_directory"])).expanduser() if section.get("temp_directory") else None
    return DuckDBSettings(
        memory_limit=str(section.get("memory_limit") or default_memory_limit()).replace(" ", ""),
        temp_directory=str(temp if temp is None or temp.is_absolute() else path.parent / temp) if temp else None,
    )


def connect(database: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """duckdb.connect with the pipeline's memory limit and spill folder."""
    return duckdb.connect(str(database), read_only=read_only, config=duckdb_settings().config())


def dbt_environment(database: str | Path) -> dict[str, str]:
    """The variables dbt's profile (dbt_project/profiles.yml) reads the settings from (the spill folder always
    named: the profile cannot leave a setting out)."""
    settings = duckdb_settings()
    return {
        "SALES_DUCKDB_MEMORY_LIMIT": settings.memory_limit,
        "SALES_DUCKDB_TEMP_DIRECTORY": settings.temp_directory or f"{database}.tmp",
    }
