{#
    Every won deal is credited to exactly one rep (`unknown` without an owner): per grain x period, rep
    revenue and deal counts add up to the company's.
#}
{{ config(meta={'dagster': {'ref': {'name': 'rep_performance'}}}) }}

with

sales as (
    select * from {{ ref('sales_by_period') }}
),

reps as (
    select * from {{ ref('rep_performance') }}
),

rep_totals as (
    select
        grain,
        period_start,
        count(case when revenue <> 0 then 1 end) as revenue_parts,
        sum(revenue) as revenue,
        sum(deals_won) as deals_won,
        sum(deals_lost) as deals_lost
    from reps
    group by grain, period_start
)

select
    sales.grain,
    sales.period_start,
    sales.revenue,
    rep_totals.revenue as rep_revenue
from sales
left join rep_totals
    on sales.grain = rep_totals.grain
    and sales.period_start = rep_totals.period_start
where {{ money_parts_differ('rep_totals.revenue', 'sales.revenue', 'rep_totals.revenue_parts') }}
    or coalesce(rep_totals.deals_won, 0) <> sales.deals_won
    or coalesce(rep_totals.deals_lost, 0) <> sales.deals_lost
