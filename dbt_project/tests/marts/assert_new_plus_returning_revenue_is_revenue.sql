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

grain_total_failures as (
    select
        grain,
        cast(null as date) as period_start,
        revenue,
        new_customer_revenue,
        returning_customer_revenue
    from grain_totals
    where new_customer_revenue + returning_customer_revenue <> revenue
        or revenue <> (select max(revenue) from grain_totals)
        or revenue <> (select min(revenue) from grain_totals)
)

select * from per_period_failures
union all
select * from grain_total_failures
