{#
    Quotas from every source with their period: a Salesforce ForecastingQuota covers the Period it points at
    (StartDate..EndDate, inclusive), and without a Period row its own StartDate opens a one-month period (the
    Salesforce default); a mapped quota carries period_start and period_end (one month when the end is blank).
#}
with

salesforce_quotas as (
    select * from {{ ref('stg_salesforce__forecasting_quotas') }}
),

salesforce_periods as (
    select * from {{ ref('stg_salesforce__periods') }}
),

canonical_quotas as (
    select * from {{ ref('stg_canonical__quotas') }}
),

salesforce_renamed as (
    select
        salesforce_quotas.quota_id,
        salesforce_quotas.rep_id,
        coalesce(salesforce_periods.period_type, 'month') as period_type,
        coalesce(salesforce_periods.start_date, salesforce_quotas.start_date) as period_start,
        coalesce(
            salesforce_periods.end_date,
            {{ add_days(-1, dbt.dateadd('month', 1, 'salesforce_quotas.start_date')) }}
        ) as period_end,
        cast(salesforce_quotas.quota_amount as decimal(38, 6)) as quota_amount,
        'salesforce' as _source_name
    from salesforce_quotas
    left join salesforce_periods
        on salesforce_quotas.period_id = salesforce_periods.period_id
),

canonical_renamed as (
    select
        {{ dbt.concat(['_source_name', "':'", 'rep_id', "':'", 'cast(period_start as ' ~ dbt.type_string() ~ ')']) }} as quota_id,
        rep_id,
        'month' as period_type,
        period_start,
        coalesce(period_end, {{ add_days(-1, dbt.dateadd('month', 1, 'period_start')) }}) as period_end,
        quota_amount,
        _source_name
    from canonical_quotas
),

final as (
    select * from salesforce_renamed
    union all
    select * from canonical_renamed
)

select * from final
