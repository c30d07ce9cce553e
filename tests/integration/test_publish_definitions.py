"""`salesmetrics publish` runs its job from the publication's own definitions (pipelines/publish_definitions.py):
the code location's publish jobs and assets, without loading dbt, dagster-dbt or Great Expectations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.cli.runner import definitions_of
from pipelines.defs.publish.jobs import PUBLISH_JOBS

ROOT = Path(__file__).resolve().parents[2]


def describe(defs: dg.Definitions, job_name: str) -> dict[str, object]:
    """What a run of the job does and records: its asset, upstream, partitions, resources and settings."""
    job = defs.resolve_job_def(job_name)
    [key] = job.asset_layer.executable_asset_keys
    node = defs.resolve_asset_graph().get(key)
    assets_def = defs.resolve_assets_def(key)
    return {
        "job": (job.name, job.description, job.executor_def.name),
        "asset": key,
        "upstream": sorted(k.to_user_string() for k in node.parent_keys),
        "partitions": list(job.partitions_def.get_partition_keys()),
        "timezone": job.partitions_def.timezone,
        "resources": sorted(assets_def.required_resource_keys),
        "resource_config": {k: repr(defs.resources.get(k)) for k in sorted(assets_def.required_resource_keys)},
        "group": node.group_name,
        "kinds": sorted(node.kinds),
        "pool": node.pools,
        "backfill_policy": node.backfill_policy,
        "description": assets_def.descriptions_by_key[key],
    }


@pytest.mark.parametrize("grain", ["weekly", "monthly"])
def test_the_command_lines_publish_job_is_the_code_locations(grain: str) -> None:
    from pipelines.definitions import defs

    light = definitions_of(PUBLISH_JOBS[grain])
    assert light is not defs
    assert describe(light, PUBLISH_JOBS[grain]) == describe(defs, PUBLISH_JOBS[grain])
    assert describe(defs, PUBLISH_JOBS[grain])["upstream"][:1] == ["marts/cohort_retention"]


def test_other_jobs_run_from_the_code_location() -> None:
    from pipelines.definitions import defs

    assert definitions_of("refresh_warehouse_job") is defs
    assert definitions_of("ingest_exports_job") is defs


def test_the_publication_loads_no_dbt_and_no_great_expectations() -> None:
    script = (
        "import sys\n"
        "from pipelines.cli.runner import definitions_of\n"
        "job = definitions_of('publish_monthly_snapshot_job').resolve_job_def('publish_monthly_snapshot_job')\n"
        "print(job.name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dbt', 'dagster_dbt', 'great_expectations'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["publish_monthly_snapshot_job", "[]"]
