"""dbt's parse state serves every warehouse: a new warehouse's first build parses only what changed, not the whole
project (dbt_project/profiles.yml names no folder or setting of the warehouse: pipelines/lib/transform/
dbt_warehouse.py), and a changed model is still parsed again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.defs.transform.parse_cache import (
    PARTIAL_PARSE,
    keep_parse_state,
    kept_state,
    shared_state,
    target_with_parse_state,
)
from pipelines.lib.duckdb_settings import dbt_environment
from pipelines.lib.settings import DBT_PROJECT_DIR
from pipelines.lib.transform.dbt_warehouse import connection_values
from pipelines.lib.transform.marts_swap import BUILD_PREFIX, PREFIX_ENV

BIN = Path(sys.executable).parent
MODEL = Path("models/marts/sales_by_period.sql")


def parse(project: Path, target: Path, warehouse: Path) -> list[dict]:
    """`dbt parse` as a build runs it (the build prefix set, the warehouse's own settings), from the parse state in
    ``target`` if any; dbt's log events."""
    env = {
        **os.environ,
        "SALES_WAREHOUSE": str(warehouse),
        "DBT_PROFILES_DIR": str(project),
        PREFIX_ENV: BUILD_PREFIX,
        **dbt_environment(warehouse),
    }
    command = [BIN / "dbt", "parse", "--log-format", "json", "--log-level", "debug", "--target-path", str(target)]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return [json.loads(line)["info"] for line in done.stdout.splitlines() if line.startswith("{")]


def said(events: list[dict], name: str) -> list[str]:
    return [event["msg"] for event in events if event["name"] == name]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the dbt project (a test edits a model), parsed once for a first warehouse."""
    project = tmp_path_factory.mktemp("parse_state") / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    first = parse(project, project / "target" / "first", project.parent / "first" / "warehouse.duckdb")
    assert said(first, "UnableToPartialParse") or not said(first, "PartialParsingEnabled")  # nothing to start from
    return project


def from_first(project: Path, name: str) -> Path:
    target = project / "target" / name
    target.mkdir(parents=True)
    shutil.copyfile(project / "target" / "first" / PARTIAL_PARSE, target / PARTIAL_PARSE)
    return target


def test_a_new_warehouse_parses_nothing_again(project: Path) -> None:
    other = project.parent / "elsewhere" / "warehouse.duckdb"  # another folder: another spill folder too
    events = parse(project, from_first(project, "other"), other)
    assert said(events, "UnableToPartialParse") == []
    assert said(events, "PartialParsingSkipParsing"), [e["msg"] for e in events][:20]


def test_a_changed_model_is_parsed_again(project: Path) -> None:
    model = project / MODEL
    original = model.read_text(encoding="utf-8")
    model.write_text(original + "\n-- changed after the state was kept\n")
    target = from_first(project, "changed")
    try:
        events = parse(project, target, project.parent / "changed" / "warehouse.duckdb")
    finally:
        model.write_text(original)
    assert said(events, "UnableToPartialParse") == []
    assert [m for m in said(events, "PartialParsingFile") if str(MODEL) in m], said(events, "PartialParsingFile")
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    code = manifest["nodes"]["model.salesmetrics.sales_by_period"]["raw_code"]
    assert code.endswith("-- changed after the state was kept")


def test_the_connection_gets_the_warehouse_and_its_settings(tmp_path: Path) -> None:
    """What the plugin gives duckdb.connect: the real path, the memory limit and the spill folder."""
    warehouse = tmp_path / "warehouse.duckdb"
    environ = {"SALES_WAREHOUSE": str(warehouse), **dbt_environment(warehouse)}
    path, config = connection_values(environ)
    assert path == str(warehouse)
    assert config == {
        "memory_limit": environ["SALES_DUCKDB_MEMORY_LIMIT"],
        "temp_directory": environ["SALES_DUCKDB_TEMP_DIRECTORY"],
    }
    with pytest.raises(RuntimeError, match="SALES_WAREHOUSE is not set"):
        connection_values({})


def test_a_build_starts_from_its_warehouses_state_else_the_last_builds(tmp_path: Path) -> None:
    project_target = tmp_path / "target"
    warehouse, fresh = tmp_path / "a" / "warehouse.duckdb", tmp_path / "b" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    fresh.parent.mkdir()
    assert not target_with_parse_state(project_target, "first", fresh).exists()  # dagster-dbt copies make's
    built = project_target / "built"
    built.mkdir(parents=True)
    (built / PARTIAL_PARSE).write_bytes(b"state of a's build")
    keep_parse_state(built, warehouse, project_target)
    assert kept_state(warehouse).read_bytes() == shared_state(project_target).read_bytes() == b"state of a's build"
    assert (target_with_parse_state(project_target, "new", fresh) / PARTIAL_PARSE).read_bytes() == b"state of a's build"
    kept_state(warehouse).write_bytes(b"a's own")
    assert (target_with_parse_state(project_target, "again", warehouse) / PARTIAL_PARSE).read_bytes() == b"a's own"
    assert sorted(p.name for p in project_target.iterdir() if p.suffix == ".partial") == []
