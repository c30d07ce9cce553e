"""One chunk of opportunities turned into export rows (Opportunity, line items, history, leads).

Also where the chunk's outcomes are folded into the running totals that quotas, targets and the Account
export need later, so nothing but those small per-account and per-rep arrays outlives a chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipelines.lib.sample import model
from pipelines.lib.sample.accounts import AccountState, company_names
from pipelines.lib.sample.currencies import deal_currencies
from pipelines.lib.sample.deals import Deals, World, build_deals
from pipelines.lib.sample.history import build_timeline, history_frame
from pipelines.lib.sample.ids import sfid, sfid_range
from pipelines.lib.sample.leads import lead_frame
from pipelines.lib.sample.timeline import month_number

_NEW_LABELS = ("New Business", "Initial Order", "Pilot", "Platform Deal, Phase 1")
_EXISTING_LABELS = ("Renewal", "Expansion", "Upsell", "Add-on Licenses", "Services Extension", "Expansion, Phase 2")
_LABELS = _NEW_LABELS + _EXISTING_LABELS
_STAGE_NAMES = (
    *model.STAGES,
    *(s.lower() for s in model.STAGES),
    *(s.upper() for s in model.STAGES),
    *(s + "  " for s in model.STAGES),
)


@dataclass
class Totals:
    """Running state across chunks: accounts, id counters and won revenue per rep and month (cents)."""

    accounts: AccountState
    rep_month_cents: np.ndarray
    first_month: int
    counters: dict[str, int] = field(default_factory=lambda: {"line": 0, "history": 0, "lead": 0})


def make_chunk(w: World, totals: Totals, lo: int, hi: int) -> dict[str, pd.DataFrame]:
    """Rows of opportunities lo..hi-1 and everything hanging off them, keyed by export object name."""
    d = w.draws
    deals = build_deals(w, totals.accounts, lo, hi)
    tl = build_timeline(d, deals, w.span)
    idx, closed = deals.idx, deals.closed
    won = closed & deals.won
    amount = deals.lines.amount_cents.astype(np.float64)
    blank = ~closed & (d.u("blank_amount", idx) < 0.02)
    amount[blank] = np.nan
    has_lines = ~blank & ~(won & (d.u("no_lines", idx) < 0.03))

    opp_ids = sfid_range("Opportunity", lo, hi - lo)
    account_ids = sfid("Account", deals.account).astype(object)
    owner_ids = w.reps.user_ids[deals.owner]
    names = company_names()[w.accounts.name_code(deals.account)]
    counters = totals.counters
    frames = {
        "Opportunity": _opportunities(
            deals, tl.current, tl.last_change_s, amount, opp_ids, account_ids, owner_ids, names, w
        ),
        "OpportunityLineItem": _line_items(deals, has_lines, opp_ids, w, counters["line"]),
        "OpportunityHistory": history_frame(d, deals, tl, opp_ids, owner_ids, amount, counters["history"]),
        "Lead": lead_frame(w, deals, opp_ids, account_ids, owner_ids, names, counters["lead"]),
    }
    counters["line"] += len(frames["OpportunityLineItem"])
    counters["history"] += len(frames["OpportunityHistory"])
    counters["lead"] += len(frames["Lead"])
    acc = totals.accounts
    acc.has_won[deals.account[won]] = True
    np.minimum.at(acc.first_won_day, deals.account[won], deals.close_day[won])
    month = month_number(deals.close_day[won]) - totals.first_month
    np.add.at(totals.rep_month_cents, (deals.owner[won], month), amount[won])
    return frames


def _stage_names(d_u: np.ndarray, stage: np.ndarray) -> pd.Categorical:
    """~3 % of rows carry the stage in odd case or with trailing spaces, as hand-edited exports do."""
    variant = np.where(d_u < 0.97, 0, 1 + ((d_u - 0.97) / 0.01).astype(np.int64).clip(0, 2))
    return pd.Categorical.from_codes(stage + len(model.STAGES) * variant, _STAGE_NAMES)


def _opportunities(
    deals: Deals,
    stage: np.ndarray,
    last_change: np.ndarray,
    amount: np.ndarray,
    opp_ids: np.ndarray,
    account_ids: np.ndarray,
    owner_ids: np.ndarray,
    names: np.ndarray,
    w: World,
) -> pd.DataFrame:
    d, idx = w.draws, deals.idx
    label_u = d.u("opp_label", idx)
    label = np.where(
        deals.is_new,
        (label_u * len(_NEW_LABELS)).astype(np.int64),
        len(_NEW_LABELS) + (label_u * len(_EXISTING_LABELS)).astype(np.int64),
    )
    source = np.where(deals.source == model.BLANK_SOURCE, -1, deals.source)
    campaign_ids = np.where(deals.campaign >= 0, w.campaigns.ids[deals.campaign], None)
    return pd.DataFrame(
        copy=False,
        data={
            "Id": opp_ids,
            "AccountId": account_ids,
            "OwnerId": owner_ids,
            "Name": names,  # the writer appends " - " and NameSuffix
            "NameSuffix": pd.Categorical.from_codes(label, _LABELS),
            "StageName": _stage_names(d.u("stage_blemish", idx), stage),
            "Amount": amount,
            "Probability": model.PROBABILITY[stage],
            "CloseDate": deals.expected_close,
            "CreatedDate": deals.created_s,
            "IsClosed": deals.closed,
            "IsWon": deals.closed & deals.won,
            "LeadSource": pd.Categorical.from_codes(source, model.SOURCE_NAMES),
            "Type": pd.Categorical.from_codes(np.where(deals.is_new, 0, 1), ["New Business", "Existing Business"]),
            "CampaignId": campaign_ids,
            "ForecastCategoryName": pd.Categorical.from_codes(model.FORECAST_CODE[stage], model.FORECAST_NAME),
            "CurrencyIsoCode": deal_currencies(d, idx, w.currencies),
            "LastStageChangeDate": last_change,
        },
    )


def _line_items(deals: Deals, has_lines: np.ndarray, opp_ids: np.ndarray, w: World, start: int) -> pd.DataFrame:
    lines = deals.lines
    rows, slots = np.nonzero(lines.mask & has_lines[:, None])
    product = lines.product[rows, slots]
    won = deals.closed[rows] & deals.won[rows]
    serviced = won & (w.draws.u("service_date", deals.idx[rows]) < 0.5)
    cat = w.catalog
    return pd.DataFrame(
        copy=False,
        data={
            "Id": sfid_range("OpportunityLineItem", start, len(rows)),
            "OpportunityId": opp_ids[rows],
            "Product2Id": cat.ids[product],
            "PricebookEntryId": cat.pricebook_ids[product],
            "Quantity": lines.quantity[rows, slots],
            "UnitPrice": lines.unit_cents[rows, slots],
            "ListPrice": lines.list_cents[rows, slots],
            "TotalPrice": lines.total_cents[rows, slots],
            "ServiceDate": np.where(serviced, deals.close_day[rows], np.nan),
            "CreatedDate": deals.created_s[rows] + 60 * (slots + 1),
        },
    )
