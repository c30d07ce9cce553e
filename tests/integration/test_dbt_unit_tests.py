"""dbt's unit tests (hand-made rows pinning each metric's definition) on the sample warehouse's schema.

The pipeline's own dbt build runs every data test but skips unit tests (they test the SQL, not the data);
this runs them all, once.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from pipelines.lib.settings import PROJECT_ROOT
from tests.integration.conftest import Built


def test_every_dbt_unit_test_passes(built: Built, tmp_path: Path) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "SALES_WAREHOUSE": str(built.warehouse), "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt_project")}
    result = subprocess.run(
        [str(dbt), "test", "--select", "test_type:unit", "--target-path", str(tmp_path / "target")],
        cwd=PROJECT_ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = re.search(r"PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)", result.stdout)
    assert result.returncode == 0 and summary, result.stdout[-3000:]
    passed, _, errors, _ = map(int, summary.groups())
    assert errors == 0
    assert passed >= 38  # every unit test of the project (staging, intermediate, marts): 38 today
