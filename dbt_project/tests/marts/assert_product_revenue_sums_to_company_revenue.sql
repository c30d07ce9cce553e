{#
    Lines plus the `unknown` remainder explain all won revenue: per grain x period, product revenue equals
    sales_by_period revenue to the cent.
#}
{{ config(meta={'dagster': {'ref': {'name': 'product_performance'}}}) }}

with

sales as (
    select * from {{ ref('sales_by_period') }}
),

products as (
    select * from {{ ref('product_performance') }}
),

product_totals as (
    select
        grain,
        period_start,
        count(case when revenue <> 0 then 1 end) as revenue_parts,
        sum(revenue) as revenue
    from products
    group by grain, period_start
)

select
    sales.grain,
    sales.period_start,
    sales.revenue,
    product_totals.revenue as product_revenue
from sales
left join product_totals
    on sales.grain = product_totals.grain
    and sales.period_start = product_totals.period_start
where {{ money_parts_differ('product_totals.revenue', 'sales.revenue', 'product_totals.revenue_parts') }}
