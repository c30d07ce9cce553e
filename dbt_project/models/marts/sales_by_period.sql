{#
    Company sales per grain x period. Closed deals count on close_date, created opportunities on
    created_date. Every period of the calendar gets a row; sums are 0 and rates/averages NULL where there is
    nothing to measure. Gross margin: revenue minus the known line costs of the period's won deals, NULL
    when none of them has a known cost.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

revenue_allocations as (
    select * from {{ ref('int_revenue_lines_allocated') }}
),

closed_deals as (
    select
        opportunity_id,
        account_id,
        close_date,
        status,
        amount,
        sales_cycle_days,
        is_first_won_deal
    from opportunities
    where status in ('won', 'lost')
),

closed_deals_by_period as (
    select
        grain,
        period_start,
        {{ closed_deal_measures() }},
        avg(case when status = 'won' then sales_cycle_days end) as avg_sales_cycle_days,
        {{ median("case when status = 'won' then sales_cycle_days end") }} as median_sales_cycle_days,
        count(case when status = 'won' and is_first_won_deal then 1 end) as new_customers,
        sum(case when status = 'won' and is_first_won_deal then amount end) as new_customer_revenue,
        count(distinct case when status = 'won' then account_id end) as active_customers
    from ({{ rows_per_grain('closed_deals', 'close_date') }}) as closed_deals_per_grain
    group by grain, period_start
),

created_opportunities as (
    select
        opportunity_id,
        created_date,
        amount
    from opportunities
),

created_by_period as (
    select
        grain,
        period_start,
        count(*) as opportunities_created,
        sum(amount) as pipeline_created_amount
    from ({{ rows_per_grain('created_opportunities', 'created_date') }}) as created_per_grain
    group by grain, period_start
),

costed_revenue as (
    select
        close_date,
        cost
    from revenue_allocations
    where cost is not null
),

costs_by_period as (
    select
        grain,
        period_start,
        sum(cost) as cost_of_goods_sold
    from ({{ rows_per_grain('costed_revenue', 'close_date') }}) as costed_per_grain
    group by grain, period_start
),

periods_joined as (
    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        coalesce(closed_deals_by_period.revenue, 0) as revenue,
        coalesce(closed_deals_by_period.deals_won, 0) as deals_won,
        coalesce(closed_deals_by_period.deals_lost, 0) as deals_lost,
        closed_deals_by_period.avg_sales_cycle_days,
        closed_deals_by_period.median_sales_cycle_days,
        coalesce(created_by_period.opportunities_created, 0) as opportunities_created,
        coalesce(created_by_period.pipeline_created_amount, 0) as pipeline_created_amount,
        coalesce(closed_deals_by_period.new_customers, 0) as new_customers,
        coalesce(closed_deals_by_period.new_customer_revenue, 0) as new_customer_revenue,
        coalesce(closed_deals_by_period.active_customers, 0) as active_customers,
        costs_by_period.cost_of_goods_sold
    from periods
    left join closed_deals_by_period
        on periods.grain = closed_deals_by_period.grain
        and periods.period_start = closed_deals_by_period.period_start
    left join created_by_period
        on periods.grain = created_by_period.grain
        and periods.period_start = created_by_period.period_start
    left join costs_by_period
        on periods.grain = costs_by_period.grain
        and periods.period_start = costs_by_period.period_start
),

with_prior_periods as (
    select
        periods_joined.*,
        lag(revenue) over (partition by grain order by period_start) as revenue_prior_period
    from periods_joined
),

with_last_year as (
    select
        current_period.*,
        last_year.revenue as revenue_last_year
    from with_prior_periods as current_period
    left join periods_joined as last_year
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
        {{ safe_divide('deals_won', 'deals_won + deals_lost') }} as win_rate,
        {{ divide_money('revenue', 'deals_won') }} as avg_deal_size,
        cast(avg_sales_cycle_days as double precision) as avg_sales_cycle_days,
        cast(median_sales_cycle_days as double precision) as median_sales_cycle_days,
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
