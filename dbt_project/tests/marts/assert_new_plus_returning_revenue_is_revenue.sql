{#
    The new / returning split is per deal, so it adds up in every period and in the total of every grain
    (exactly: money is never rounded per period, so every grain's periods add up to the same total).
#}
with

sales as (
    select * from {{ ref('sales_by_period') }}
),

per_period_failures as (
    select
        grain,
        period_start,
        revenue,
        new_customer_revenue,
        returning_customer_revenue
    from sales
    where new_customer_revenue + returning_customer_revenue <> revenue
),

grain_totals as (
    select
        grain,
        sum(revenue) as revenue,
        sum(new_customer_revenue) as new_customer_revenue,
        sum(returning_customer_revenue) as returning_customer_revenue
    from sales
    group by grain
),

total_range as (
    select
        min(revenue) as min_revenue,
        max(revenue) as max_revenue
    from grain_totals
),

grain_total_failures as (
    select
        grain_totals.grain,
        cast(null as date) as period_start,
        grain_totals.revenue,
        grain_totals.new_customer_revenue,
        grain_totals.returning_customer_revenue
    from grain_totals
    cross join total_range
    where grain_totals.new_customer_revenue + grain_totals.returning_customer_revenue <> grain_totals.revenue
        or grain_totals.revenue <> total_range.max_revenue
        or grain_totals.revenue <> total_range.min_revenue
)

select * from per_period_failures
union all
select * from grain_total_failures
