"""Each dbt build leaves a target folder; only the newest builds' folders are kept."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.defs.transform.parse_cache import TARGETS_KEPT, prune_targets


def test_only_the_newest_builds_folders_are_kept(tmp_path: Path) -> None:
    builds = []
    for age in range(TARGETS_KEPT + 5):  # age 0 is the newest
        folder = tmp_path / f"sales_dbt_models-{age:08d}-0123456789ab"
        folder.mkdir()
        (folder / "dbt.log").write_text("{}\n")
        os.utime(folder, (1_800_000_000 - age * 60, 1_800_000_000 - age * 60))
        builds.append(folder)
    other = tmp_path / "dev"  # make's parse, and files of the project's target folder, are not builds
    other.mkdir()
    state = tmp_path / "build_partial_parse.msgpack"
    state.write_bytes(b"state")
    os.utime(other, (1_000_000_000, 1_000_000_000))

    removed = prune_targets(tmp_path, "sales_dbt_models-")

    assert sorted(removed) == sorted(builds[TARGETS_KEPT:])
    assert [f.exists() for f in builds] == [True] * TARGETS_KEPT + [False] * 5
    assert other.is_dir() and state.read_bytes() == b"state"
    assert prune_targets(tmp_path, "sales_dbt_models-") == []  # nothing more to remove


def test_the_running_builds_folder_counts_among_the_kept_and_is_never_removed(tmp_path: Path) -> None:
    """The prune runs beside the build (pipelines/defs/transform/assets.py): the build's own folder, even when it is
    the oldest by time (dbt has not written into it yet) or does not exist yet, stays, and counts as one kept."""
    builds = []
    for age in range(TARGETS_KEPT + 3):
        folder = tmp_path / f"sales_dbt_models-{age:08d}-0123456789ab"
        folder.mkdir()
        os.utime(folder, (1_800_000_000 - age * 60, 1_800_000_000 - age * 60))
        builds.append(folder)
    running = builds[-1]  # the oldest mtime

    removed = prune_targets(tmp_path, "sales_dbt_models-", running=running)

    assert sorted(removed) == sorted(builds[TARGETS_KEPT - 1 : -1])
    assert running.is_dir()
    assert sum(f.exists() for f in builds) == TARGETS_KEPT
    # not created yet: the newest TARGETS_KEPT - 1 of the others stay
    removed = prune_targets(tmp_path, "sales_dbt_models-", running=tmp_path / "sales_dbt_models-new")
    assert removed == [running]
    assert sum(f.exists() for f in builds) == TARGETS_KEPT - 1
