"""Transform: every dbt model is an asset and every dbt test an asset check."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import WAREHOUSE_POOL
from pipelines.defs.transform.project import dbt_project


class SalesDbtTranslator(DagsterDbtTranslator):
    """Models are keyed by their schema (``marts/sales_by_period``) and grouped under ``transform``."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "snapshot", "seed"):
            schema = dbt_resource_props["config"].get("schema") or "main"
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "transform"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=SalesDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    pool=WAREHOUSE_POOL,
)
def sales_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBResource
) -> Iterator[Any]:
    """Builds staging, intermediate, facts/dims and the metric marts with dbt, running every test."""
    # dbt runs from its own folder; hand it the warehouse as an absolute path through its profile.
    os.environ["SALES_WAREHOUSE"] = str(Path(warehouse.database).expanduser().resolve())
    yield from dbt.cli(["build"], context=context).stream()
