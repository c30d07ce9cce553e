"""The audit suites of the Salesforce objects and of the company's own files: what each column must be.

The rules each entry implies are declared once in pipelines/lib/audit/rules.py; mapped exports' suites are
CANONICAL_SPECS in pipelines/lib/canonical.py.
"""

from __future__ import annotations

from pipelines.lib.audit.spec import Spec

SPECS: dict[str, Spec] = {
    "Account": Spec(required=("Name",), datetimes=("CreatedDate",), booleans=("IsDeleted",)),
    "User": Spec(required=("Name",), datetimes=("CreatedDate",), booleans=("IsActive",)),
    "Lead": Spec(
        required=("CreatedDate",),
        datetimes=("CreatedDate",),
        dates=("ConvertedDate",),
        booleans=("IsConverted",),
    ),
    "Opportunity": Spec(
        required=("StageName", "CloseDate", "CreatedDate"),
        dates=("CloseDate",),
        datetimes=("CreatedDate", "LastStageChangeDate"),
        amounts=("Amount",),
        percents=("Probability",),
        booleans=("IsClosed", "IsWon", "IsDeleted"),
        stage="StageName",
        ordered=(("CloseDate", "CreatedDate"),),
        references={"AccountId": "Account", "OwnerId": "User"},
        converts={"CurrencyIsoCode": "CloseDate"},
    ),
    "OpportunityLineItem": Spec(
        required=("OpportunityId", "Product2Id"),
        amounts=("Quantity", "UnitPrice", "ListPrice", "TotalPrice"),
        dates=("ServiceDate",),
        datetimes=("CreatedDate",),
        references={"OpportunityId": "Opportunity", "Product2Id": "Product2"},
    ),
    "Product2": Spec(
        required=("Name",),
        amounts=("List_Price__c", "Unit_Cost__c"),
        booleans=("IsActive",),
        datetimes=("CreatedDate",),
    ),
    "OpportunityHistory": Spec(
        required=("OpportunityId", "StageName", "CreatedDate"),
        datetimes=("CreatedDate",),
        dates=("CloseDate",),
        amounts=("Amount",),
        percents=("Probability",),
        stage="StageName",
        references={"OpportunityId": "Opportunity"},
    ),
    "Campaign": Spec(
        required=("Name",),
        dates=("StartDate", "EndDate"),
        amounts=("ActualCost", "BudgetedCost"),
        booleans=("IsActive",),
        datetimes=("CreatedDate",),
        ordered=(("EndDate", "StartDate"),),
    ),
    "CurrencyType": Spec(
        required=("IsoCode", "ConversionRate"), amounts=("ConversionRate",), booleans=("IsActive", "IsCorporate")
    ),
    "DatedConversionRate": Spec(
        required=("IsoCode", "ConversionRate", "StartDate"),
        amounts=("ConversionRate",),
        dates=("StartDate", "NextStartDate"),
        ordered=(("NextStartDate", "StartDate"),),
    ),
    "Period": Spec(
        required=("Type", "StartDate", "EndDate"),
        dates=("StartDate", "EndDate"),
        ordered=(("EndDate", "StartDate"),),
        sets={"Type": ("Month", "Quarter", "Year", "Week")},
    ),
    "ForecastingQuota": Spec(
        required=("QuotaOwnerId", "StartDate", "QuotaAmount"),
        dates=("StartDate",),
        amounts=("QuotaAmount",),
        references={"QuotaOwnerId": "User", "PeriodId": "Period"},
    ),
    # The company's own files: staging keeps one row per key (the latest export's), so two lines of one file
    # for the same key are a mistake the audit cannot settle: both are quarantined.
    "targets": Spec(
        id=None,
        required=("kpi", "scope", "grain", "period_start"),
        dates=("period_start",),
        numbers=("target_value", "growth_rate"),
        sets={"scope": ("company", "team", "rep"), "grain": ("day", "week", "month", "quarter", "year")},
        # a team or rep target names its team or rep; a company target's scope_id is ignored
        required_when={"scope_id": ("scope", ("team", "rep"), "team_or_rep")},
        # the scorecard matches a target on its period's first day exactly: any other day matches nothing
        period_starts={"period_start": "grain"},
        unique_key=("kpi", "scope", "scope_id", "grain", "period_start"),
        case_insensitive=("kpi",),
        key_expressions={
            "scope_id": "case when lower(trim(\"scope\")) = 'company' then '' else coalesce(trim(\"scope_id\"), '') end"
        },
    ),
    "benchmarks": Spec(
        id=None,
        required=("kpi", "benchmark_value"),
        numbers=("benchmark_value",),
        sets={"grain": ("day", "week", "month", "quarter", "year")},
        unique_key=("kpi", "grain"),  # an empty grain (every grain) is a key of its own
        case_insensitive=("kpi",),
    ),
    "fixed_costs": Spec(
        id=None,
        required=("period_start", "period_end", "fixed_cost"),
        dates=("period_start", "period_end"),
        amounts=("fixed_cost",),
        ordered=(("period_end", "period_start"),),
        unique_key=("period_start", "period_end"),  # one line per period: costs of one period added up
    ),
}
