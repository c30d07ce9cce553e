{#
    Per rep and grain x period. A deal is credited to its owner. Reps are those who own a deal or carry a
    quota; each gets a row in every period (zeros where idle). Point-in-time figures (open, stale, overdue,
    open pipeline) are read at the period's as_of_date: its period_end, or the last date of the data for the
    period still running (an end date in the future would count today's open deals as overdue).
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

reps as (
    select * from {{ ref('dim_reps') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

quotas as (
    select * from {{ ref('int_rep_quotas_prorated') }}
),

rep_days as (
    select * from {{ ref('int_rep_days_accumulated') }}
),

measured_reps as (
    select rep_id from opportunities
    union
    select rep_id from quotas
),

rep_periods as (
    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        periods.as_of_date,
        measured_reps.rep_id
    from periods
    cross join measured_reps
),

closed_deals as (
    select
        rep_id,
        close_date,
        status,
        amount,
        sales_cycle_days,
        deal_size_band
    from opportunities
    where status in ('won', 'lost')
),

closed_deals_by_period as (
    select
        grain,
        period_start,
        rep_id,
        {{ closed_deal_measures() }},
        avg(case when status = 'won' then sales_cycle_days end) as avg_sales_cycle_days,
        count(case when deal_size_band = 'small' then 1 end) as deals_won_small,
        count(case when deal_size_band = 'medium' then 1 end) as deals_won_medium,
        count(case when deal_size_band = 'large' then 1 end) as deals_won_large
    from ({{ rows_per_grain('closed_deals', 'close_date') }}) as closed_deals_per_grain
    group by grain, period_start, rep_id
),

rep_periods_joined as (
    select
        rep_periods.grain,
        rep_periods.period_start,
        rep_periods.period_end,
        rep_periods.rep_id,
        reps.rep_name,
        reps.manager_name,
        reps.team,
        reps.region,
        coalesce(closed_deals_by_period.revenue, 0) as revenue,
        coalesce(closed_deals_by_period.deals_won, 0) as deals_won,
        coalesce(closed_deals_by_period.deals_lost, 0) as deals_lost,
        closed_deals_by_period.avg_sales_cycle_days,
        quotas.quota,
        coalesce(rep_days.open_opportunities, 0) as open_opportunities,
        coalesce(rep_days.open_pipeline_amount, 0) as open_pipeline_amount,
        coalesce(rep_days.stale_opportunities, 0) as stale_opportunities,
        coalesce(rep_days.overdue_opportunities, 0) as overdue_opportunities,
        coalesce(closed_deals_by_period.deals_won_small, 0) as deals_won_small,
        coalesce(closed_deals_by_period.deals_won_medium, 0) as deals_won_medium,
        coalesce(closed_deals_by_period.deals_won_large, 0) as deals_won_large
    from rep_periods
    left join reps
        on rep_periods.rep_id = reps.rep_id
    left join closed_deals_by_period
        on rep_periods.grain = closed_deals_by_period.grain
        and rep_periods.period_start = closed_deals_by_period.period_start
        and rep_periods.rep_id = closed_deals_by_period.rep_id
    left join quotas
        on rep_periods.grain = quotas.grain
        and rep_periods.period_start = quotas.period_start
        and rep_periods.rep_id = quotas.rep_id
    left join rep_days
        on rep_periods.rep_id = rep_days.rep_id
        and rep_periods.as_of_date = rep_days.date_day
),

final as (
    select
        grain,
        period_start,
        period_end,
        rep_id,
        rep_name,
        manager_name,
        team,
        region,
        {{ money('revenue') }} as revenue,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        cast(deals_lost as {{ dbt.type_bigint() }}) as deals_lost,
        {{ safe_divide('deals_won', 'deals_won + deals_lost') }} as win_rate,
        {{ divide_money('revenue', 'deals_won') }} as avg_deal_size,
        cast(avg_sales_cycle_days as double precision) as avg_sales_cycle_days,
        {{ money('quota') }} as quota,
        {{ safe_divide('revenue', 'quota') }} as quota_attainment,
        cast(open_opportunities as {{ dbt.type_bigint() }}) as open_opportunities,
        {{ money('open_pipeline_amount') }} as open_pipeline_amount,
        cast(stale_opportunities as {{ dbt.type_bigint() }}) as stale_opportunities,
        cast(overdue_opportunities as {{ dbt.type_bigint() }}) as overdue_opportunities,
        cast(deals_won_small as {{ dbt.type_bigint() }}) as deals_won_small,
        cast(deals_won_medium as {{ dbt.type_bigint() }}) as deals_won_medium,
        cast(deals_won_large as {{ dbt.type_bigint() }}) as deals_won_large
    from rep_periods_joined
)

select * from final
