"""Leads that sit behind a chunk's deals: the converted lead of a deal, and its unconverted siblings.

Each lead-sourced deal brings its converted lead plus a geometric number of leads from the same source
that never converted, with mean 1/rate - 1, so each source converts at its own rate (model.LEAD_SOURCES)
and leads number about 1.5 x the opportunities. Generated per chunk, keyed by (deal index, position).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.lib.sample import model, vocab
from pipelines.lib.sample.accounts import INDUSTRY, LOC_COUNTRY, company_code, company_names
from pipelines.lib.sample.deals import Deals, World
from pipelines.lib.sample.ids import sfid_range
from pipelines.lib.sample.timeline import DAY

P_FROM_LEAD_NEW, P_FROM_LEAD_EXISTING = 0.7, 0.25
_MAX_SIBLINGS = 63
_STATUS = ("Closed - Converted", "Open - Not Contacted", "Working - Contacted", "Closed - Not Converted")


def lead_frame(
    w: World,
    deals: Deals,
    opp_ids: np.ndarray,
    account_ids: np.ndarray,
    owner_ids: np.ndarray,
    account_names: np.ndarray,
    start: int,
) -> pd.DataFrame:
    """Lead rows for a chunk of deals: each lead-sourced deal's converted lead, then its unconverted siblings."""
    d, span, idx = w.draws, w.span, deals.idx
    from_lead = d.u("from_lead", idx) < np.where(deals.is_new, P_FROM_LEAD_NEW, P_FROM_LEAD_EXISTING)
    rate = model.SOURCE_CONVERSION[deals.source]
    keep = 1.0 - rate  # chance of one more unconverted sibling: geometric with mean 1/rate - 1
    siblings = np.minimum(np.floor(np.log1p(-d.u("siblings", idx)) / np.log(keep)), _MAX_SIBLINGS)
    count = np.where(from_lead, 1 + siblings.astype(np.int64), 0)
    total = int(count.sum())
    deal = np.repeat(np.arange(len(idx)), count)
    sub = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    key = idx[deal] * (_MAX_SIBLINGS + 1) + sub
    converted = sub == 0
    lag = np.minimum(-np.log1p(-d.u("lead_lag", idx)) * 12 * DAY, 120 * DAY).astype(np.int64)
    base = (deals.created_s - lag)[deal]
    jitter = ((d.u("lead_jitter", key) - 0.5) * 150 * DAY).astype(np.int64)
    created = np.where(converted, base, base + jitter)
    created = np.where(created > span.end_s, 2 * span.end_s - created, created)  # reflect, never after the end
    age_days = (span.end_s - created) // DAY
    u = d.u("lead_status", key)
    status = np.where(
        age_days < 21,
        np.where(u < 0.6, 1, 2),
        np.where(age_days < 75, np.where(u < 0.6, 2, 3), np.where(u < 0.92, 3, 2)),
    )
    status = np.where(converted, 0, status)
    own = w.accounts
    account = deals.account[deal]
    company = np.where(converted, account_names[deal], company_names()[company_code(d.u("lead_company", key))])
    industry = np.where(converted, own.industry(account), own.industry(key + 10**12))
    country = np.where(converted, own.location(account), own.location(key + 10**12))
    first = d.integers("lead_first", key, 0, len(vocab.FIRST_NAMES))
    last = d.integers("lead_last", key, 0, len(vocab.LAST_NAMES))
    source = deals.source[deal]
    return pd.DataFrame(
        copy=False,
        data={
            "Id": sfid_range("Lead", start, total),
            "FirstName": pd.Categorical.from_codes(first, vocab.FIRST_NAMES),
            "LastName": pd.Categorical.from_codes(last, vocab.LAST_NAMES),
            "Company": company,
            "Industry": INDUSTRY[industry],
            "Country": LOC_COUNTRY[country],
            "LeadSource": pd.Categorical.from_codes(
                np.where(source == model.BLANK_SOURCE, -1, source), model.SOURCE_NAMES
            ),
            "Status": pd.Categorical.from_codes(status, _STATUS),
            "IsConverted": converted,
            "ConvertedDate": np.where(converted, deals.created_day[deal], np.nan),
            "ConvertedAccountId": np.where(converted, account_ids[deal], None),
            "ConvertedOpportunityId": np.where(converted, opp_ids[deal], None),
            "OwnerId": owner_ids[deal],
            "CreatedDate": created,
        },
    )
