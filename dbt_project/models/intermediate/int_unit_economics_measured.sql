{#
    The customer counts and revenue unit_economics computes CLV from, per grain (month, quarter, year) x
    period, read at the period's as_of_date (period_end, or the last date of the data for a period still
    running). Customers are accounts; only won deals with an account count.
    - lifetime: won deals closed up to as_of_date, and the accounts whose first won deal closed by then.
    - window: the var clv_lookback_months months ending at as_of_date (default 12): revenue, won deals,
      distinct buying accounts and the known line costs of those deals (NULL when no line has a known cost).
    - churn: of the accounts with a won deal in the 12 months before the window, those with none in it.
#}
{%- set lookback_months = var('clv_lookback_months') | int %}

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

economics_periods as (
    select
        grain,
        period_start,
        period_end,
        as_of_date,
        {{ add_days(1, 'as_of_date') }} as window_end_exclusive,
        cast({{ dbt.dateadd('month', -lookback_months, add_days(1, 'as_of_date')) }} as date) as window_start,
        cast({{ dbt.dateadd('month', -lookback_months - 12, add_days(1, 'as_of_date')) }} as date) as prior_start
    from periods
    where grain in ('month', 'quarter', 'year')
),

customer_deals as (
    select
        opportunity_id,
        account_id,
        close_date,
        coalesce(amount, 0) as amount,
        is_first_won_deal
    from opportunities
    where status = 'won'
        and account_id is not null
),

deal_costs as (
    select
        opportunity_id,
        sum(cost) as known_cost
    from revenue_allocations
    where cost is not null
    group by opportunity_id
),

customer_deals_costed as (
    select
        customer_deals.*,
        deal_costs.known_cost
    from customer_deals
    left join deal_costs
        on customer_deals.opportunity_id = deal_costs.opportunity_id
),

lifetime_to_date as (
    select
        economics_periods.grain,
        economics_periods.period_start,
        sum(customer_deals.amount) as lifetime_revenue,
        count(case when customer_deals.is_first_won_deal then 1 end) as customers_acquired
    from economics_periods
    inner join customer_deals
        on customer_deals.close_date <= economics_periods.as_of_date
    group by economics_periods.grain, economics_periods.period_start
),

window_deals as (
    select
        economics_periods.grain,
        economics_periods.period_start,
        sum(customer_deals_costed.amount) as window_revenue,
        count(*) as window_deals,
        count(distinct customer_deals_costed.account_id) as window_customers,
        sum(customer_deals_costed.known_cost) as window_known_cost
    from economics_periods
    inner join customer_deals_costed
        on customer_deals_costed.close_date >= economics_periods.window_start
        and customer_deals_costed.close_date < economics_periods.window_end_exclusive
    group by economics_periods.grain, economics_periods.period_start
),

prior_customers as (
    select distinct
        economics_periods.grain,
        economics_periods.period_start,
        customer_deals.account_id
    from economics_periods
    inner join customer_deals
        on customer_deals.close_date >= economics_periods.prior_start
        and customer_deals.close_date < economics_periods.window_start
),

window_customers as (
    select distinct
        economics_periods.grain,
        economics_periods.period_start,
        customer_deals.account_id
    from economics_periods
    inner join customer_deals
        on customer_deals.close_date >= economics_periods.window_start
        and customer_deals.close_date < economics_periods.window_end_exclusive
),

churn as (
    select
        prior_customers.grain,
        prior_customers.period_start,
        count(*) as prior_customers,
        count(case when window_customers.account_id is null then 1 end) as churned_customers
    from prior_customers
    left join window_customers
        on prior_customers.grain = window_customers.grain
        and prior_customers.period_start = window_customers.period_start
        and prior_customers.account_id = window_customers.account_id
    group by prior_customers.grain, prior_customers.period_start
),

final as (
    select
        economics_periods.grain,
        economics_periods.period_start,
        economics_periods.period_end,
        economics_periods.window_start,
        economics_periods.as_of_date,
        coalesce(lifetime_to_date.lifetime_revenue, 0) as lifetime_revenue,
        coalesce(lifetime_to_date.customers_acquired, 0) as customers_acquired,
        coalesce(window_deals.window_revenue, 0) as window_revenue,
        coalesce(window_deals.window_deals, 0) as window_deals,
        coalesce(window_deals.window_customers, 0) as window_customers,
        window_deals.window_known_cost,
        coalesce(churn.prior_customers, 0) as prior_customers,
        coalesce(churn.churned_customers, 0) as churned_customers
    from economics_periods
    left join lifetime_to_date
        on economics_periods.grain = lifetime_to_date.grain
        and economics_periods.period_start = lifetime_to_date.period_start
    left join window_deals
        on economics_periods.grain = window_deals.grain
        and economics_periods.period_start = window_deals.period_start
    left join churn
        on economics_periods.grain = churn.grain
        and economics_periods.period_start = churn.period_start
)

select * from final
