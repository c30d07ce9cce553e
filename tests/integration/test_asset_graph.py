"""The asset graph, checks and jobs, compared with a checked-in listing so graph changes show in review.

Regenerate after an intended change: UPDATE_ASSET_GRAPH=1 make test
"""

from __future__ import annotations

import os
from pathlib import Path

LISTING = Path(__file__).resolve().parents[1] / "fixtures" / "asset_graph.txt"


def describe_definitions() -> str:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        upstream = ", ".join(sorted(p.to_user_string() for p in node.parent_keys))
        lines.append(f"asset {key.to_user_string()} [{node.group_name}] <- {upstream}")
    for check_key in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        lines.append(f"check {check_key.asset_key.to_user_string()}:{check_key.name}")
    for job in sorted(defs.jobs or [], key=lambda j: j.name):
        lines.append(f"job {job.name}")
    for schedule in sorted(defs.schedules or [], key=lambda s: s.name):
        lines.append(f"schedule {schedule.name}")
    for sensor in sorted(defs.sensors or [], key=lambda s: s.name):
        lines.append(f"sensor {sensor.name}")
    return "\n".join(lines) + "\n"


def test_asset_graph_matches_listing() -> None:
    actual = describe_definitions()
    if os.environ.get("UPDATE_ASSET_GRAPH"):
        LISTING.write_text(actual)
    assert actual == LISTING.read_text()


def test_spark_engine_has_the_same_graph_and_builds_on_the_spark_target() -> None:
    """SALES_ENGINE=spark (README "Spark") changes the dbt target only: the same listing, dbt's target `spark`."""
    import subprocess
    import sys

    script = (
        "from tests.integration.test_asset_graph import describe_definitions\n"
        "from pipelines.definitions import defs\n"
        "print(defs.resources['dbt'].target)\n"
        "print(describe_definitions(), end='')\n"
    )
    root = LISTING.parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env={**os.environ, "SALES_ENGINE": "spark"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    target, listing = done.stdout.split("\n", 1)
    assert target == "spark"
    assert listing == LISTING.read_text()
