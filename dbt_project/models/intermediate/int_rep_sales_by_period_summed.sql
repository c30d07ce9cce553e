{#
    Each rep's closed deals summed per grain x period, before rates, quota and point-in-time figures
    (rep_performance adds those). A deal is credited to its owner on its close_date. Reps are those who own a
    deal or carry a quota; each gets a row in every period, zeros where idle. as_of_date is the period's
    (int_periods_spined), where rep_performance reads the open-deal figures.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

quotas as (
    select * from {{ ref('int_rep_quotas_prorated') }}
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

final as (
    select
        rep_periods.grain,
        rep_periods.period_start,
        rep_periods.period_end,
        rep_periods.as_of_date,
        rep_periods.rep_id,
        coalesce(closed_deals_by_period.revenue, 0) as revenue,
        coalesce(closed_deals_by_period.deals_won, 0) as deals_won,
        coalesce(closed_deals_by_period.deals_lost, 0) as deals_lost,
        coalesce(closed_deals_by_period.lost_amount, 0) as lost_amount,
        closed_deals_by_period.avg_sales_cycle_days,
        coalesce(closed_deals_by_period.deals_won_small, 0) as deals_won_small,
        coalesce(closed_deals_by_period.deals_won_medium, 0) as deals_won_medium,
        coalesce(closed_deals_by_period.deals_won_large, 0) as deals_won_large
    from rep_periods
    left join closed_deals_by_period
        on rep_periods.grain = closed_deals_by_period.grain
        and rep_periods.period_start = closed_deals_by_period.period_start
        and rep_periods.rep_id = closed_deals_by_period.rep_id
)

select * from final
