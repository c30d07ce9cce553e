{#
    A quota covers the Period it points at (StartDate..EndDate, inclusive). Without a Period row the quota's
    own StartDate opens a one-month period, the Salesforce default for forecasting quotas.
#}
with

quotas as (
    select * from {{ ref('stg_salesforce__forecasting_quotas') }}
),

periods as (
    select * from {{ ref('stg_salesforce__periods') }}
),

quotas_joined_to_periods as (
    select
        quotas.quota_id,
        quotas.rep_id,
        coalesce(periods.period_type, 'month') as period_type,
        coalesce(periods.start_date, quotas.start_date) as period_start,
        coalesce(
            periods.end_date,
            {{ add_days(-1, dbt.dateadd('month', 1, 'quotas.start_date')) }}
        ) as period_end,
        quotas.quota_amount
    from quotas
    left join periods
        on quotas.period_id = periods.period_id
),

final as (
    select
        quota_id,
        rep_id,
        period_type,
        period_start,
        period_end,
        {{ dbt.datediff('period_start', 'period_end', 'day') }} + 1 as period_days,
        quota_amount
    from quotas_joined_to_periods
)

select * from final
