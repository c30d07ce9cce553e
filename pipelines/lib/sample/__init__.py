"""A deterministic, seeded Salesforce Data Export set: one CSV per object plus the targets file.

``salesmetrics sample`` writes it so the default demo runs the real Salesforce path. Same (scale, seed,
end_date) gives byte-identical files, and opportunities are generated in chunks so ten million deals fit in
bounded memory. Modules: rand/ids (draws, ids), timeline/model/vocab (calendar and knobs), people/users/
catalog/campaigns/accounts (the world), deals/lines/history/leads/chunk (one chunk of rows), periods
(quotas, targets), writer (CSV through DuckDB).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from pipelines.lib.ingest import salesforce
from pipelines.lib.sample.accounts import Accounts, AccountState
from pipelines.lib.sample.campaigns import build_campaigns
from pipelines.lib.sample.catalog import build_catalog
from pipelines.lib.sample.chunk import Totals, make_chunk
from pipelines.lib.sample.currencies import currency_types, dated_rates
from pipelines.lib.sample.deals import World
from pipelines.lib.sample.people import build_reps
from pipelines.lib.sample.periods import benchmark_table, fixed_cost_table, period_table, quota_table, target_table
from pipelines.lib.sample.rand import Draws
from pipelines.lib.sample.timeline import make_span
from pipelines.lib.sample.writer import ExportWriter

__all__ = ["generate", "write_export"]

CHUNK_SIZE = 100_000  # ~0.5 GB peak with one chunk queued for the writer; 200k: ~0.8 GB, same speed
_ACCOUNT_CHUNK = 200_000
RATE_OBJECTS = ("CurrencyType", "DatedConversionRate")  # written only for a multi-currency org


def generate(
    out_dir: Path,
    *,
    scale: int = 20_000,
    seed: int = 42,
    end_date: date | None = None,
    currencies: tuple[str, ...] = (),
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write one CSV per object of salesforce.OBJECTS plus the company files (targets, benchmarks, fixed costs).

    Returns rows written per file name. ``scale`` is the exact number of opportunities; ``end_date`` (default
    today) is the last day of the data; ``currencies`` (besides USD) make a multi-currency org, with
    CurrencyType and DatedConversionRate (left out otherwise, as a single-currency org exports neither).
    Prints nothing; ``on_progress`` gets the opportunities written so far.
    """
    return write_export(
        Path(out_dir),
        scale=scale,
        seed=seed,
        end_date=end_date or date.today(),
        currencies=tuple(currencies),
        on_progress=on_progress,
    )


def write_export(
    out_dir: Path,
    *,
    scale: int,
    seed: int,
    end_date: date,
    chunk_size: int = CHUNK_SIZE,
    currencies: tuple[str, ...] = (),
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """``generate`` with the chunk size exposed: any chunk size writes the same bytes (tests compare)."""
    if scale < 1:
        raise ValueError("scale must be at least 1 opportunity")
    span = make_span(end_date)
    draws = Draws(seed)
    reps = build_reps(scale, seed, span)
    catalog = build_catalog(seed, span)
    campaigns = build_campaigns(scale, seed, span)
    n_accounts = max(1, scale // 6)
    accounts = Accounts(draws, reps, n_accounts, scale)
    world = World(span, span.creation_cdf(), scale, draws, reps, catalog, campaigns, accounts, currencies)
    months = span.last_month - span.first_month + 1
    totals = Totals(AccountState(n_accounts), np.zeros((reps.n, months)), span.first_month)
    obj = {o.name: o for o in salesforce.ALL_OBJECTS}
    with ExportWriter(out_dir) as writer:
        for o in salesforce.ALL_OBJECTS:
            if currencies or o.name not in RATE_OBJECTS:
                writer.open(o)
        writer.append(obj["User"], reps.users)
        writer.append(obj["Product2"], catalog.frame)
        writer.append(obj["Campaign"], campaigns.frame)
        for lo in range(0, scale, chunk_size):
            for name, frame in make_chunk(world, totals, lo, min(scale, lo + chunk_size)).items():
                writer.append(obj[name], frame)
            if on_progress is not None:
                on_progress(min(scale, lo + chunk_size))
        for lo in range(0, n_accounts, _ACCOUNT_CHUNK):
            writer.append(
                obj["Account"], accounts.frame(lo, min(n_accounts, lo + _ACCOUNT_CHUNK), totals.accounts, span)
            )
        periods = period_table(span)
        writer.append(obj["Period"], periods)
        writer.append(obj["ForecastingQuota"], quota_table(span, seed, reps, totals, periods))
        writer.append(obj["targets"], target_table(span, seed, reps, totals))
        writer.append(obj["benchmarks"], benchmark_table())
        writer.append(obj["fixed_costs"], fixed_cost_table(span, seed, totals))
        if currencies:
            writer.append(obj["CurrencyType"], currency_types(currencies))
            writer.append(obj["DatedConversionRate"], dated_rates(span, seed, currencies))
        return dict(writer.counts)
