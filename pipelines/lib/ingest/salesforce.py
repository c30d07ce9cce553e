"""The Salesforce Data Export layout: one CSV per object, API field names as headers.

This module is the single contract between the sample generator (which writes these files), the ingest
assets (which land them in DuckDB ``raw`` as text) and the dbt staging models (which rename and cast them).
"""

from __future__ import annotations

from pipelines.lib.ingest.company_files import FILE_OBJECTS
from pipelines.lib.ingest.objects import LINEAGE_COLUMNS, ExportObject

__all__ = ["ALL_OBJECTS", "LINEAGE_COLUMNS", "OBJECTS", "ExportObject", "by_name"]


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
        # queryAll and Data Loader exports carry deleted deals with IsDeleted = true; the Data Export leaves them out
        optional=("IsDeleted",),
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
    # Multi-currency orgs only (Setup → Company Information → Currencies): the rates amounts convert at. ConversionRate
    # is units of the currency per one unit of the corporate currency (IsCorporate, rate 1).
    ExportObject(
        name="CurrencyType",
        table="salesforce__currency_type",
        columns=("Id", "IsoCode", "ConversionRate", "DecimalPlaces", "IsActive", "IsCorporate"),
        required=("Id", "IsoCode", "ConversionRate"),
        description="Currencies of a multi-currency org and their static conversion rates (units per corporate unit).",
    ),
    ExportObject(
        name="DatedConversionRate",
        table="salesforce__dated_conversion_rate",
        columns=("Id", "IsoCode", "ConversionRate", "StartDate", "NextStartDate"),
        required=("Id", "IsoCode", "ConversionRate", "StartDate"),
        description="Dated conversion rates (advanced currency management), each valid from StartDate on.",
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


ALL_OBJECTS: tuple[ExportObject, ...] = (*OBJECTS, *FILE_OBJECTS)


def by_name(name: str) -> ExportObject:
    for obj in ALL_OBJECTS:
        if obj.name.lower() == name.lower():
            return obj
    raise KeyError(name)
