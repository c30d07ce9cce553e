"""dbt-duckdb plugin (dbt_project/profiles.yml, target dev): opens the warehouse named by SALES_WAREHOUSE.

dbt keeps its parse state (``partial_parse.msgpack``) only while a hash of the profile's connection values stays
the same (dbt-core's ``build_manifest_state_check``); for dbt-duckdb they include ``path`` and ``settings``. With
the warehouse's path (and the spill folder beside it) in the profile, every new warehouse, so every test and the
first run of every install, made dbt parse the whole project again (~9 s). So the profile names only the file
(``warehouse.duckdb``: its stem is the DuckDB catalog, the ``database`` of every node dbt parses) and none of
the settings, and this plugin, which dbt-duckdb calls just before it opens the database, gives the connection
the real path and the pipeline's memory limit and spill folder from the environment:

- ``SALES_WAREHOUSE``: the warehouse file (the Dagster resource sets it absolute before dbt runs);
- ``SALES_DUCKDB_MEMORY_LIMIT`` and ``SALES_DUCKDB_TEMP_DIRECTORY``, filled by
  ``pipelines.lib.duckdb_settings.dbt_environment`` (for dbt run by hand: 4GB, and ``<warehouse>.tmp``).

Nothing here changes what dbt parses: the connection values it hashes are the same for every warehouse of the
same file name, and the path is given only to ``duckdb.connect``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

WAREHOUSE_ENV = "SALES_WAREHOUSE"
MEMORY_LIMIT_ENV = "SALES_DUCKDB_MEMORY_LIMIT"
TEMP_DIRECTORY_ENV = "SALES_DUCKDB_TEMP_DIRECTORY"
DEFAULT_MEMORY_LIMIT = "4GB"


def connection_values(environ: Mapping[str, str] = os.environ) -> tuple[str, dict[str, str]]:
    """(path, DuckDB config) of the warehouse dbt opens."""
    path = environ.get(WAREHOUSE_ENV)
    if not path:
        raise RuntimeError(f"{WAREHOUSE_ENV} is not set: it names the warehouse dbt builds (an absolute path).")
    config = {
        "memory_limit": environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT,
        "temp_directory": environ.get(TEMP_DIRECTORY_ENV) or f"{path}.tmp",
    }
    return path, config


class Plugin(BasePlugin):
    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        path, settings = connection_values()
        if PurePath(path).name != PurePath(creds.path).name:  # the catalog dbt parsed for is the file's stem
            raise RuntimeError(f"{WAREHOUSE_ENV}={path}: the profile's path names another file ({creds.path}).")
        creds.path = path  # what dbt-duckdb passes to duckdb.connect next
        config.update(settings)
