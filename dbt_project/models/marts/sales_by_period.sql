{#
    Company sales per grain x period. Closed deals count on close_date, created opportunities on
    created_date. Every period of the calendar gets a row; sums are 0 and rates/averages NULL where there is
    nothing to measure. Gross margin: revenue minus the known line costs of the period's won deals, NULL
    when none of them has a known cost.
#}
with

sales_summed as (
    select * from {{ ref('int_sales_by_period_summed') }}
),

with_prior_periods as (
    select
        sales_summed.*,
        lag(revenue) over (partition by grain order by period_start) as revenue_prior_period
    from sales_summed
),

with_last_year as (
    select
        current_period.*,
        last_year.revenue as revenue_last_year
    from with_prior_periods as current_period
    left join sales_summed as last_year
        on current_period.grain = last_year.grain
        and last_year.period_start
        = {{ same_period_last_year('current_period.grain', 'current_period.period_start') }}
),

final as (
    select
        grain,
        period_start,
        period_end,
        {{ money('revenue') }} as revenue,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        cast(deals_lost as {{ dbt.type_bigint() }}) as deals_lost,
        {{ money('lost_amount') }} as lost_amount,
        {{ win_rates() }},
        {{ divide_money('revenue', 'deals_won') }} as avg_deal_size,
        cast(avg_sales_cycle_days as double) as avg_sales_cycle_days,
        cast(median_sales_cycle_days as double) as median_sales_cycle_days,
        cast(opportunities_created as {{ dbt.type_bigint() }}) as opportunities_created,
        {{ money('pipeline_created_amount') }} as pipeline_created_amount,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        {{ money('new_customer_revenue') }} as new_customer_revenue,
        {{ money('revenue') }} - {{ money('new_customer_revenue') }} as returning_customer_revenue,
        cast(active_customers as {{ dbt.type_bigint() }}) as active_customers,
        {{ divide_money('revenue', 'active_customers') }} as revenue_per_customer,
        {{ safe_divide('deals_won', 'active_customers') }} as purchase_frequency,
        {{ money('revenue - cost_of_goods_sold') }} as gross_margin,
        {{ safe_divide('revenue - cost_of_goods_sold', 'revenue') }} as gross_margin_pct,
        {{ money('revenue_prior_period') }} as revenue_prior_period,
        {{ safe_divide('revenue - revenue_prior_period', 'revenue_prior_period') }} as revenue_change_pct,
        {{ money('revenue_last_year') }} as revenue_last_year,
        {{ safe_divide('revenue - revenue_last_year', 'revenue_last_year') }} as revenue_yoy_change_pct
    from with_last_year
)

select * from final
