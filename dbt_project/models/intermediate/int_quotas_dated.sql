{#
    A quota covers its period (StartDate..EndDate, inclusive): int_quotas_unioned resolves it for every source.
#}
with

quotas as (
    select * from {{ ref('int_quotas_unioned') }}
),

quotas_joined_to_periods as (
    select
        quota_id,
        rep_id,
        period_type,
        period_start,
        period_end,
        quota_amount
    from quotas
),

final as (
    select
        quota_id,
        rep_id,
        period_type,
        period_start,
        period_end,
        {{ days_between('period_start', 'period_end') }} + 1 as period_days,
        quota_amount
    from quotas_joined_to_periods
)

select * from final
