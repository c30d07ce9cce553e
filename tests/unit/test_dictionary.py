"""docs/metric_dictionary.md is generated from the dbt project; it must match what the project says now."""

from __future__ import annotations

import csv

import pytest

from pipelines.lib.transform import dictionary


def test_the_checked_in_dictionary_is_current() -> None:
    if not dictionary.MANIFEST.exists():
        pytest.skip("no dbt manifest: run `make setup` (dbt parse) first")
    assert dictionary.PAGE.read_text(encoding="utf-8") == dictionary.render(), (
        "docs/metric_dictionary.md is stale: run `python -m pipelines.lib.transform.dictionary`"
    )


def test_every_kpi_is_listed_with_a_definition() -> None:
    with dictionary.SEED.open(encoding="utf-8", newline="") as handle:
        kpis = list(csv.DictReader(handle))
    assert len({k["kpi"] for k in kpis}) == len(kpis) >= 30
    assert all(k["definition"].strip() and k["unit"] in {"currency", "count", "rate", "days", "ratio"} for k in kpis)
    page = dictionary.PAGE.read_text(encoding="utf-8")
    for k in kpis:
        assert f"| `{k['kpi']}` |" in page
