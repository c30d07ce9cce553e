{#
    Lead source partitions the deals (`unknown` when blank): per grain x period, source revenue, won deals
    and created opportunities add up to the company's.
#}
{{ config(meta={'dagster': {'ref': {'name': 'funnel_by_source'}}}) }}

with

sales as (
    select * from {{ ref('sales_by_period') }}
),

sources as (
    select * from {{ ref('funnel_by_source') }}
),

source_totals as (
    select
        grain,
        period_start,
        count(case when revenue <> 0 then 1 end) as revenue_parts,
        sum(revenue) as revenue,
        sum(deals_won) as deals_won,
        sum(opportunities_created) as opportunities_created
    from sources
    group by grain, period_start
)

select
    sales.grain,
    sales.period_start,
    sales.revenue,
    source_totals.revenue as source_revenue
from sales
left join source_totals
    on sales.grain = source_totals.grain
    and sales.period_start = source_totals.period_start
where {{ money_parts_differ('source_totals.revenue', 'sales.revenue', 'source_totals.revenue_parts') }}
    or coalesce(source_totals.deals_won, 0) <> sales.deals_won
    or coalesce(source_totals.opportunities_created, 0) <> sales.opportunities_created
