"""dbt on a warehouse that spills: once DuckDB has written to its spill folder, the next model still builds.

A 1M-opportunity run with `duckdb: memory_limit: 2GB` (issue 16) stopped in dbt on every model after the first
that spilled: "Not implemented Error: Cannot switch temporary directory after the current one has been used".
dbt-duckdb runs the profile's `settings` as `SET` statements on every new cursor, and DuckDB refuses to set
`temp_directory` again (even to the same folder) once something was spilled there. The memory limit and the spill
folder are therefore given once, when the warehouse is opened (pipelines/lib/transform/dbt_warehouse.py).

Here a throwaway dbt project uses the pipeline's own profile (dbt_project/profiles.yml, target dev) with a 100 MB
memory limit: its first model sorts 3 million rows (it spills: before the fix, the next model failed), the next
ones read it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.lib.settings import DBT_PROJECT_DIR

DBT = Path(sys.executable).with_name("dbt")

MODELS = {
    "spilled.sql": "select i, md5(cast(i as varchar)) as s from range(3000000) t(i) order by s",
    "after_the_spill.sql": "select count(*) as n, count(distinct s) as d from {{ ref('spilled') }}",
    "and_another.sql": (
        "select n * 2 as twice, current_setting('memory_limit') as memory_limit,"
        " current_setting('temp_directory') as temp_directory from {{ ref('after_the_spill') }}"
    ),
}


def test_models_after_a_spill_still_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: spill\nversion: '1.0'\nprofile: salesmetrics\nconfig-version: 2\n"
        "models:\n  spill:\n    +materialized: table\n",
        encoding="utf-8",
    )
    for name, sql in MODELS.items():
        (project / "models" / name).write_text(sql + "\n", encoding="utf-8")
    warehouse = tmp_path / "warehouse.duckdb"
    spill = tmp_path / "spill"
    env = {
        **os.environ,
        "SALES_WAREHOUSE": str(warehouse),
        "SALES_DUCKDB_MEMORY_LIMIT": "100MB",
        "SALES_DUCKDB_TEMP_DIRECTORY": str(spill),
        "DBT_TARGET": "dev",
    }
    result = subprocess.run(
        [str(DBT), "run", "--threads", "1", "--project-dir", str(project), "--profiles-dir", str(DBT_PROJECT_DIR)],
        env=env,
        capture_output=True,
        text=True,
        cwd=project,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select n, d from main.after_the_spill").fetchone() == (3_000_000, 3_000_000)
        twice, memory_limit, temp_directory = con.execute("select * from main.and_another").fetchone()
    assert twice == 6_000_000
    assert memory_limit == "95.3 MiB" and temp_directory == str(spill)  # the settings reached the connection
