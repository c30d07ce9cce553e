{#
    Per rep x org and grain x period. A deal is credited to its owner, and to the owner's manager, team and
    region when it closed (int_rep_sales_by_period_summed): a rep who moved team in April has a row for the
    old team with the deals closed before the move and one for the new team with those after. Reps are those
    who own a deal or carry a quota; each gets a row under today's org in every period (zeros where idle),
    which alone carries the quota and the point-in-time figures (open, stale, overdue, open pipeline): those
    stay with today's org. Point-in-time figures are read at the period's as_of_date: its period_end, or the
    last date of the data for the period still running (an end date in the future would count today's open
    deals as overdue).
#}
with

rep_sales as (
    select * from {{ ref('int_rep_sales_by_period_summed') }}
),

reps as (
    select * from {{ ref('dim_reps') }}
),

quotas as (
    select * from {{ ref('int_rep_quotas_prorated') }}
),

rep_days as (
    select * from {{ ref('int_rep_days_accumulated') }}
),

rep_periods_joined as (
    select
        rep_sales.grain,
        rep_sales.period_start,
        rep_sales.period_end,
        rep_sales.rep_id,
        reps.rep_name,
        rep_sales.manager_name,
        rep_sales.team,
        rep_sales.region,
        rep_sales.org_as_of,
        rep_sales.revenue,
        rep_sales.deals_won,
        rep_sales.deals_lost,
        rep_sales.lost_amount,
        rep_sales.avg_sales_cycle_days,
        quotas.quota,
        coalesce(rep_days.open_opportunities, 0) as open_opportunities,
        coalesce(rep_days.open_pipeline_amount, 0) as open_pipeline_amount,
        coalesce(rep_days.stale_opportunities, 0) as stale_opportunities,
        coalesce(rep_days.overdue_opportunities, 0) as overdue_opportunities,
        rep_sales.deals_won_small,
        rep_sales.deals_won_medium,
        rep_sales.deals_won_large
    from rep_sales
    left join reps
        on rep_sales.rep_id = reps.rep_id
    {#- Only the row under today's org joins: the rep's key is NULL on the others. Written as an equality (not
        `on rep_sales.is_current_org and ...`), which DuckDB 1.5 plans as a hash join; the flag as a join condition
        of its own made it a nested-loop join, quadratic in rep-periods (minutes at 200,000 deals). #}
    left join quotas
        on case when rep_sales.is_current_org then rep_sales.rep_id end = quotas.rep_id
        and rep_sales.grain = quotas.grain
        and rep_sales.period_start = quotas.period_start
    left join rep_days
        on case when rep_sales.is_current_org then rep_sales.rep_id end = rep_days.rep_id
        and rep_sales.as_of_date = rep_days.date_day
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
        org_as_of,
        {{ money('revenue') }} as revenue,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        cast(deals_lost as {{ dbt.type_bigint() }}) as deals_lost,
        {{ money('lost_amount') }} as lost_amount,
        {{ win_rates() }},
        {{ divide_money('revenue', 'deals_won') }} as avg_deal_size,
        cast(avg_sales_cycle_days as double) as avg_sales_cycle_days,
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
