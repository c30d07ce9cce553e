{#
    Customer lifetime value against acquisition cost per grain (month, quarter, year) x period. Customers are
    accounts; only won deals with an account count. Each period is read at its as_of_date: period_end, or
    the last date of the data for a period still running (so a running year is not diluted by months that
    have not happened).
    - historical_clv: lifetime revenue of won deals closed up to as_of_date / accounts whose first won deal
      closed by then.
    - window: the var clv_lookback_months months ending at as_of_date (default 12). Over it: avg_deal_size
      (revenue / won deals), annual_purchase_frequency (won deals / distinct buying accounts, scaled to a
      year by 12 / clv_lookback_months) and gross_margin_pct ((revenue - known line costs) / revenue; when no
      line of the window's deals has a known cost, revenue stands in for margin: clv_basis = 'revenue').
    - annual_churn_rate: of the accounts with a won deal in the 12 months before the window, the share with
      no won deal in the window (annual when the window is 12 months). NULL when no account bought then.
    - expected_lifetime_years: macro expected_lifetime_years (1 / churn, capped at var clv_lifetime_cap_years).
    - predicted_clv: avg_deal_size x annual_purchase_frequency x margin factor x expected_lifetime_years.
    - cac: acquisition_cost channel `all` for the same grain and period; ltv_to_cac = predicted_clv / cac.
    - cac_payback_months: cac / the monthly gross margin a customer brings (avg_deal_size x
      annual_purchase_frequency x margin factor / 12), i.e. the months of margin that repay the cost of
      acquiring the customer.
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

acquisition_cost as (
    select * from {{ ref('acquisition_cost') }}
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

inputs as (
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
        coalesce(churn.churned_customers, 0) as churned_customers,
        acquisition_cost.cac
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
    left join acquisition_cost
        on economics_periods.grain = acquisition_cost.grain
        and economics_periods.period_start = acquisition_cost.period_start
        and acquisition_cost.channel = 'all'
),

rates as (
    select
        inputs.*,
        {{ divide_money('window_revenue', 'window_deals') }} as avg_deal_size,
        {{ safe_divide('window_deals', 'window_customers') }} * 12.0 / {{ lookback_months }}
            as annual_purchase_frequency,
        {{ safe_divide('window_revenue - window_known_cost', 'window_revenue') }} as gross_margin_pct,
        case when window_known_cost is null then 'revenue' else 'gross_margin' end as clv_basis,
        {{ safe_divide('churned_customers', 'prior_customers') }} as annual_churn_rate
    from inputs
),

lifetimes as (
    select
        rates.*,
        {{ expected_lifetime_years('annual_churn_rate') }} as expected_lifetime_years,
        avg_deal_size * annual_purchase_frequency
            * case when clv_basis = 'revenue' then 1.0 else gross_margin_pct end as annual_value_per_customer
    from rates
),

final as (
    select
        grain,
        period_start,
        period_end,
        as_of_date,
        window_start,
        {{ money('lifetime_revenue') }} as lifetime_revenue,
        cast(customers_acquired as {{ dbt.type_bigint() }}) as customers_acquired,
        {{ divide_money('lifetime_revenue', 'customers_acquired') }} as historical_clv,
        avg_deal_size,
        cast(annual_purchase_frequency as double precision) as annual_purchase_frequency,
        cast(gross_margin_pct as double precision) as gross_margin_pct,
        clv_basis,
        cast(prior_customers as {{ dbt.type_bigint() }}) as churn_base_customers,
        cast(churned_customers as {{ dbt.type_bigint() }}) as churned_customers,
        cast(annual_churn_rate as double precision) as annual_churn_rate,
        cast(expected_lifetime_years as double precision) as expected_lifetime_years,
        {{ money('annual_value_per_customer * expected_lifetime_years') }} as predicted_clv,
        cac,
        {{ safe_divide('annual_value_per_customer * expected_lifetime_years', 'cac') }} as ltv_to_cac,
        {{ safe_divide('cac', 'annual_value_per_customer / 12.0') }} as cac_payback_months
    from lifetimes
)

select * from final
