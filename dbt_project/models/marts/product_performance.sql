{#
    Per product and grain x period, over won deals closed in the period: each line's total_price is its
    product's revenue, and won revenue the lines do not explain is product `unknown`, so product revenue
    sums to sales_by_period.revenue. Cost (and gross margin) is NULL for products without a known unit cost.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

revenue_allocations as (
    select * from {{ ref('int_revenue_lines_allocated') }}
),

product_periods as (
    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        products.product_id,
        products.product_name,
        products.product_family,
        products.unit_cost is not null as has_known_cost
    from periods
    cross join products
),

allocations_by_period as (
    select
        grain,
        period_start,
        product_id,
        sum(units) as units,
        sum(revenue) as revenue,
        sum(cost) as cost,
        sum(discount_amount) as discount_amount,
        count(distinct opportunity_id) as deals_won
    from ({{ rows_per_grain('revenue_allocations', 'close_date') }}) as allocations_per_grain
    group by grain, period_start, product_id
),

product_periods_joined as (
    select
        product_periods.grain,
        product_periods.period_start,
        product_periods.period_end,
        product_periods.product_id,
        product_periods.product_name,
        product_periods.product_family,
        coalesce(allocations_by_period.units, 0) as units,
        coalesce(allocations_by_period.revenue, 0) as revenue,
        case
            when product_periods.has_known_cost then coalesce(allocations_by_period.cost, 0)
        end as cost,
        coalesce(allocations_by_period.discount_amount, 0) as discount_amount,
        coalesce(allocations_by_period.deals_won, 0) as deals_won
    from product_periods
    left join allocations_by_period
        on product_periods.grain = allocations_by_period.grain
        and product_periods.period_start = allocations_by_period.period_start
        and product_periods.product_id = allocations_by_period.product_id
),

final as (
    select
        grain,
        period_start,
        period_end,
        product_id,
        product_name,
        product_family,
        cast(units as decimal(18, 2)) as units,
        {{ money('revenue') }} as revenue,
        {{ money('cost') }} as cost,
        {{ money('revenue - cost') }} as gross_margin,
        {{ safe_divide('revenue - cost', 'revenue') }} as gross_margin_pct,
        {{ money('discount_amount') }} as discount_amount,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won
    from product_periods_joined
)

select * from final
