{#
    The new / returning split is per deal, so it adds up in every period and in the total of every grain
    (grain totals agree up to the rounding of each period's revenue to the cent: macros/money_parts_differ.sql).
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
        count(case when revenue <> 0 then 1 end) as revenue_parts,
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
        or {{ money_parts_differ('revenue', '(select max(revenue) from grain_totals)', '2 * (select max(revenue_parts) from grain_totals)') }}
        or {{ money_parts_differ('revenue', '(select min(revenue) from grain_totals)', '2 * (select max(revenue_parts) from grain_totals)') }}
)

select * from per_period_failures
union all
select * from grain_total_failures
