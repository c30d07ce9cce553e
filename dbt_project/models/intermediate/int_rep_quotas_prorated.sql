{#
    A quota is spread evenly over its days: a period gets quota x overlapping days / quota days, so a
    quarterly quota of 90,000 over 91 days gives a 30-day month 90,000 x 30 / 91. The shares are summed per
    rep and period first and cast once to DECIMAL(38,6) (never rounded to the cent).
#}
with

quotas as (
    select * from {{ ref('int_quotas_dated') }}
),

periods as (
    select * from {{ ref('int_periods_spined') }}
),

quota_period_overlaps as (
    select
        periods.grain,
        periods.period_start,
        quotas.rep_id,
        quotas.quota_amount,
        quotas.period_days as quota_days,
        {{ dbt.datediff(
            'greatest(quotas.period_start, periods.period_start)',
            'least(quotas.period_end, periods.period_end)',
            'day'
        ) }} + 1 as overlap_days
    from quotas
    inner join periods
        on quotas.period_start <= periods.period_end
        and quotas.period_end >= periods.period_start
    where quotas.rep_id is not null
        and quotas.period_days > 0
),

final as (
    select
        grain,
        period_start,
        rep_id,
        {{ money('sum(quota_amount * overlap_days / quota_days)') }} as quota
    from quota_period_overlaps
    group by grain, period_start, rep_id
)

select * from final
