"""Suite-wide hooks. Each section is self-contained; add yours as a new section rather than editing another's."""

from __future__ import annotations

import pytest

# --- xdist balance: the slowest files start first (branch suite) ------------------------------------------------
# `make test` runs `pytest -n 2 --dist loadfile`: each file goes whole to one worker. By default xdist hands out
# the files with the most tests first, so a file of one or two long tests (the README's commands, three minutes)
# started last and left the other worker idle for minutes at the end. Here the files measured slowest (seconds of
# setup + call, --durations on 2 cores, December 2026) go first, longest first, and xdist keeps that order
# (loadscopereorder off); every other file follows in its usual order. Only the order changes, never what runs.
SLOWEST_FILES_FIRST: tuple[str, ...] = (
    # dbt on Spark: 3-5 min after the session's sample (branch spark); first, so the other worker takes the rest
    "tests/integration/test_spark_equivalence.py",
    "tests/faults/test_kills.py",  # the short kill harness: 3.5 min with the full one beside it (branch wap)
    # ~330 s, the largest file (five deltas, each built incrementally and in full: 350 s CPU alone, branch
    # suite35); left in collection order it started in the run's last third holding over half the work left, so
    # the other worker could run dry long before it ended
    "tests/integration/test_incremental_build.py",
    "tests/integration/test_readme_commands.py",  # ~180 s
    "tests/integration/test_crash_safety.py",  # ~180 s (branch wap)
    "tests/integration/test_publish.py",  # ~170 s
    "tests/integration/test_batched_exports.py",  # ~120 s: four runs
    "tests/integration/test_org_history.py",
    "tests/integration/test_realdata_mappings.py",
    "tests/integration/test_nothing_new.py",
    "tests/integration/test_builtin_sources.py",  # ~110 s since the CSV fixtures share one run (branch testshare)
    "tests/integration/test_input_never_fails_dbt.py",
    "tests/integration/test_money_exact.py",
    "tests/integration/test_bad_inputs.py",
    "tests/integration/test_reruns.py",
    "tests/integration/test_cli_run.py",
    "tests/integration/test_ui.py",
    "tests/integration/test_catalogue_contract.py",
    "tests/integration/test_dashboard.py",
    # The rest of today's 40 slowest items (--durations on an idle 2-core machine, December 2026, branch suite35):
    # a build of their own each, ~30-70 s a file; what follows them takes seconds to half a minute a file, so the
    # run ends on short files
    "tests/integration/test_deleted_deals.py",  # 64 s setup: a copy of the sample built twice
    "tests/integration/test_currencies.py",  # two builds
    "tests/integration/test_company_files_audit.py",
    "tests/integration/test_inbox_boundary.py",
    "tests/integration/test_pipeline_marts.py",
    "tests/integration/test_mapped_currencies.py",
    "tests/integration/test_quarantined_parent.py",
    "tests/integration/test_superstore_mapping.py",
    "tests/integration/test_restatements.py",
    "tests/integration/test_delta_export.py",
    "tests/integration/test_zip_export.py",
    "tests/integration/test_ui_metadata.py",
)


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(SLOWEST_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: the rest keep order
