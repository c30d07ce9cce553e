{#
    Region x country partitions the deals: per grain x period, region revenue, won deals and new customers
    add up to the company's.
#}
{{ config(meta={'dagster': {'ref': {'name': 'region_performance'}}}) }}

with

sales as (
    select * from {{ ref('sales_by_period') }}
),

regions as (
    select * from {{ ref('region_performance') }}
),

region_totals as (
    select
        grain,
        period_start,
        count(case when revenue <> 0 then 1 end) as revenue_parts,
        sum(revenue) as revenue,
        sum(deals_won) as deals_won,
        sum(new_customers) as new_customers
    from regions
    group by grain, period_start
)

select
    sales.grain,
    sales.period_start,
    sales.revenue,
    region_totals.revenue as region_revenue
from sales
left join region_totals
    on sales.grain = region_totals.grain
    and sales.period_start = region_totals.period_start
where {{ money_parts_differ('region_totals.revenue', 'sales.revenue', 'region_totals.revenue_parts') }}
    or coalesce(region_totals.deals_won, 0) <> sales.deals_won
    or coalesce(region_totals.new_customers, 0) <> sales.new_customers
