"""The sales process the sample imitates: stages, teams, segments, lead sources, channels, families.

Numbers here are the knobs that make the metrics interesting (win rates by source, margins by family);
they are tuned so that closed deals win ~20-35 % and ~8-12 % of opportunities are open at the end date.
"""

from __future__ import annotations

import numpy as np

from pipelines.lib.config import DEFAULT_STAGES

STAGES = DEFAULT_STAGES  # Salesforce's default opportunity stages, the ones the audit knows without configuration
WON, LOST, OPEN_STAGES = 8, 9, 8
PROBABILITY = np.array([10, 10, 20, 50, 60, 70, 75, 90, 100, 0])
FORECAST_CODE = np.array([0, 0, 0, 0, 1, 1, 1, 2, 3, 4])  # stage -> forecast category
FORECAST_NAME = ("Pipeline", "Best Case", "Commit", "Closed", "Omitted")
# OpportunityHistory.ForecastCategory holds the API values, not the labels.
FORECAST_API = ("Pipeline", "BestCase", "Forecast", "Closed", "Omitted")
# Where lost deals drop out (index of the last open stage they reached).
LOST_AT = np.array([0.16, 0.22, 0.16, 0.12, 0.10, 0.08, 0.09, 0.07])

TEAMS = ("Enterprise", "Mid-Market", "SMB", "Inside Sales")
TEAM_WEIGHTS = np.array([0.2, 0.3, 0.25, 0.25])
QUARTERLY_TEAMS = (0,)  # Enterprise reps carry quarterly quotas, everyone else monthly
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SEGMENT_WEIGHTS = np.array([0.55, 0.30, 0.15])
SEGMENT_WIN = np.array([1.12, 1.0, 0.8])
# Lines per deal (1..4) and quantity scale by segment.
LINE_COUNT = np.array([[0.5, 0.3, 0.15, 0.05], [0.3, 0.35, 0.25, 0.1], [0.15, 0.3, 0.3, 0.25]])
QUANTITY_MEDIAN = np.array([2.0, 6.0, 16.0])

# name, share of sourced deals, lead conversion rate, win-rate multiplier
LEAD_SOURCES = (
    ("Web", 0.26, 0.22, 0.95),
    ("Phone Inquiry", 0.10, 0.45, 1.10),
    ("Partner Referral", 0.12, 0.55, 1.35),
    ("Purchased List", 0.06, 0.06, 0.55),
    ("Trade Show", 0.10, 0.20, 0.90),
    ("Employee Referral", 0.06, 0.62, 1.45),
    ("Advertisement", 0.12, 0.12, 0.75),
    ("Webinar", 0.14, 0.30, 1.05),
)
SOURCE_NAMES = tuple(s[0] for s in LEAD_SOURCES)
SOURCE_WEIGHTS = np.array([s[1] for s in LEAD_SOURCES])
SOURCE_CONVERSION = np.array([s[2] for s in LEAD_SOURCES] + [0.25])  # last: blank source
SOURCE_WIN = np.array([s[3] for s in LEAD_SOURCES] + [0.9])
BLANK_SOURCE = len(LEAD_SOURCES)
BLANK_SOURCE_SHARE = 0.04

# Campaign Type (channel), relative cost, and the LeadSource its deals usually carry.
CHANNELS = (
    ("Email", 0.3, "Web"),
    ("Webinar", 0.6, "Webinar"),
    ("Paid Search", 1.0, "Advertisement"),
    ("Social Media", 0.7, "Advertisement"),
    ("Trade Show", 2.5, "Trade Show"),
    ("Partner", 1.2, "Partner Referral"),
    ("Content", 0.4, "Web"),
)
CHANNEL_SOURCE = np.array([SOURCE_NAMES.index(c[2]) for c in CHANNELS])

# family, share of lines per segment (SMB, MM, Ent), list price range, margin range
FAMILIES = (
    ("Hardware", (0.40, 0.30, 0.25), (400, 18_000), (0.25, 0.42)),
    ("Software", (0.30, 0.35, 0.35), (900, 45_000), (0.82, 0.95)),
    ("Services", (0.10, 0.20, 0.25), (1_200, 2_600), (0.08, 0.28)),
    ("Support", (0.20, 0.15, 0.15), (300, 6_000), (0.60, 0.80)),
)
FAMILY_NAMES = tuple(f[0] for f in FAMILIES)
FAMILY_BY_SEGMENT = np.array([f[1] for f in FAMILIES]).T  # (segment, family)

# Monthly seasonality of deal creation (summer dip) and yearly growth.
MONTH_FACTOR = np.array([0.92, 0.97, 1.06, 1.0, 1.02, 1.0, 0.78, 0.74, 1.05, 1.12, 1.1, 0.95])
WEEKDAY_FACTOR = np.array([1.0, 1.05, 1.05, 1.0, 0.9, 0.12, 0.08])  # Monday first
YEARLY_GROWTH = 0.35
