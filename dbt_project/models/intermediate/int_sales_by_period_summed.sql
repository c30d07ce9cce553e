{#
    The company's sales summed per grain x period, before any rate or comparison (sales_by_period adds those).
    Closed deals count on close_date, created opportunities on created_date. Every period of the calendar gets
    a row, sums 0 where nothing happened; cost_of_goods_sold is NULL when no won line of the period has a
    known cost, the averages NULL when no deal was won.
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
        coalesce(closed_deals_by_period.lost_amount, 0) as lost_amount,
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
)

select * from periods_joined
