"""The Salesforce Data Export layout: one CSV per object, API field names as headers.

This module is the single contract between the sample generator (which writes these files), the ingest
assets (which land them in DuckDB ``raw`` as text) and the dbt staging models (which rename and cast them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ExportObject:
    """One Salesforce object as it appears in a Data Export."""

    name: str  # the object's API name, also the export file's stem (Opportunity.csv)
    table: str  # the table in the ``raw`` schema
    columns: tuple[str, ...]  # the columns the sample writes, in order
    required: tuple[str, ...]  # columns without which the file cannot be this object
    description: str

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def matches(self, file_name: str) -> bool:
        """True when ``file_name`` is an export of this object: ``Opportunity.csv``, ``opportunity_2026-06-30.csv``.

        The stem must equal the object name or continue with a separator, so ``OpportunityLineItem.csv``
        is never taken for ``Opportunity``.
        """
        pattern = rf"^{re.escape(self.name)}([ _.\-].*)?\.csv$"
        return re.match(pattern, file_name, flags=re.IGNORECASE) is not None


OBJECTS: tuple[ExportObject, ...] = (
    ExportObject(
        name="Account",
        table="salesforce__account",
        columns=(
            "Id",
            "Name",
            "Type",
            "Industry",
            "Segment__c",
            "BillingCity",
            "BillingState",
            "BillingCountry",
            "Region__c",
            "OwnerId",
            "CreatedDate",
            "IsDeleted",
        ),
        required=("Id", "Name"),
        description="Customer and prospect companies.",
    ),
    ExportObject(
        name="User",
        table="salesforce__user",
        columns=(
            "Id",
            "Name",
            "FirstName",
            "LastName",
            "Email",
            "Title",
            "ManagerId",
            "Department",
            "Division",
            "IsActive",
            "CreatedDate",
        ),
        required=("Id", "Name"),
        description="Sales reps and their managers (Department = team, Division = region).",
    ),
    ExportObject(
        name="Lead",
        table="salesforce__lead",
        columns=(
            "Id",
            "FirstName",
            "LastName",
            "Company",
            "Industry",
            "Country",
            "LeadSource",
            "Status",
            "IsConverted",
            "ConvertedDate",
            "ConvertedAccountId",
            "ConvertedOpportunityId",
            "OwnerId",
            "CreatedDate",
        ),
        required=("Id", "CreatedDate"),
        description="Leads, converted or not.",
    ),
    ExportObject(
        name="Opportunity",
        table="salesforce__opportunity",
        columns=(
            "Id",
            "AccountId",
            "OwnerId",
            "Name",
            "StageName",
            "Amount",
            "Probability",
            "CloseDate",
            "CreatedDate",
            "IsClosed",
            "IsWon",
            "LeadSource",
            "Type",
            "CampaignId",
            "ForecastCategoryName",
            "CurrencyIsoCode",
            "LastStageChangeDate",
        ),
        required=("Id", "StageName", "CloseDate", "CreatedDate"),
        description="Deals: open, won or lost.",
    ),
    ExportObject(
        name="OpportunityLineItem",
        table="salesforce__opportunity_line_item",
        columns=(
            "Id",
            "OpportunityId",
            "Product2Id",
            "PricebookEntryId",
            "Quantity",
            "UnitPrice",
            "ListPrice",
            "TotalPrice",
            "Discount",
            "ServiceDate",
            "CreatedDate",
        ),
        required=("Id", "OpportunityId", "Product2Id", "Quantity", "TotalPrice"),
        description="Products sold on each deal.",
    ),
    ExportObject(
        name="Product2",
        table="salesforce__product2",
        columns=(
            "Id",
            "Name",
            "ProductCode",
            "Family",
            "IsActive",
            "List_Price__c",
            "Unit_Cost__c",
            "CreatedDate",
        ),
        required=("Id", "Name"),
        description="The product catalogue, with a custom unit cost field.",
    ),
    ExportObject(
        name="OpportunityHistory",
        table="salesforce__opportunity_history",
        columns=(
            "Id",
            "OpportunityId",
            "StageName",
            "Amount",
            "Probability",
            "CloseDate",
            "ForecastCategory",
            "CreatedById",
            "CreatedDate",
        ),
        required=("Id", "OpportunityId", "StageName", "CreatedDate"),
        description="Stage changes: one row each time a deal entered a stage.",
    ),
    ExportObject(
        name="Campaign",
        table="salesforce__campaign",
        columns=(
            "Id",
            "Name",
            "Type",
            "Status",
            "StartDate",
            "EndDate",
            "BudgetedCost",
            "ActualCost",
            "IsActive",
            "CreatedDate",
        ),
        required=("Id", "Name"),
        description="Marketing campaigns (Type = channel).",
    ),
    ExportObject(
        name="Period",
        table="salesforce__period",
        columns=("Id", "Type", "StartDate", "EndDate", "Number", "FiscalYearSettingsId"),
        required=("Id", "Type", "StartDate", "EndDate"),
        description="Fiscal periods (Month, Quarter) that quotas refer to.",
    ),
    ExportObject(
        name="ForecastingQuota",
        table="salesforce__forecasting_quota",
        columns=(
            "Id",
            "QuotaOwnerId",
            "PeriodId",
            "StartDate",
            "QuotaAmount",
            "CurrencyIsoCode",
            "ForecastingTypeId",
        ),
        required=("Id", "QuotaOwnerId", "StartDate", "QuotaAmount"),
        description="Revenue quotas per rep, monthly or quarterly (PeriodId points at Period).",
    ),
)

# Not a Salesforce object: the team's own goals, written beside the export (docs/inputs.md; used by kpi_scorecard).
TARGETS = ExportObject(
    name="targets",
    table="files__targets",
    columns=("kpi", "scope", "scope_id", "grain", "period_start", "target_value", "growth_rate"),
    required=("kpi", "scope", "grain", "period_start"),
    description="KPI targets: a value or a growth rate on the same period last year.",
)

BENCHMARKS = ExportObject(
    name="benchmarks",
    table="files__benchmarks",
    columns=("kpi", "grain", "benchmark_value", "benchmark_label"),
    required=("kpi", "benchmark_value"),
    description="Industry or competitor values per KPI, shown beside the targets (optional; empty grain: all grains).",
)

FIXED_COSTS = ExportObject(
    name="fixed_costs",
    table="files__fixed_costs",
    columns=("period_start", "period_end", "fixed_cost", "description"),
    required=("period_start", "period_end", "fixed_cost"),
    description="Fixed costs per period (optional), spread by days onto the scorecard periods for break-even revenue.",
)

# The company's own files beside the CRM export: goals, benchmarks and costs.
FILE_OBJECTS: tuple[ExportObject, ...] = (TARGETS, BENCHMARKS, FIXED_COSTS)

ALL_OBJECTS: tuple[ExportObject, ...] = (*OBJECTS, *FILE_OBJECTS)

# Lineage columns every raw table carries after the file's own columns.
LINEAGE_COLUMNS: tuple[str, ...] = ("_source_file", "_source_sha256", "_source_line", "_loaded_at")


def by_name(name: str) -> ExportObject:
    for obj in ALL_OBJECTS:
        if obj.name.lower() == name.lower():
            return obj
    raise KeyError(name)
