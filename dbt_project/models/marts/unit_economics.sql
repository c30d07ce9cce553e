{#
    Customer lifetime value against acquisition cost per grain (month, quarter, year) x period, from the
    customer counts and revenue of int_unit_economics_measured. Customers are accounts; only won deals with
    an account count. Each period is read at its as_of_date: period_end, or the last date of the data for a
    period still running (so a running year is not diluted by months that have not happened).
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

measured as (
    select * from {{ ref('int_unit_economics_measured') }}
),

acquisition_cost as (
    select * from {{ ref('acquisition_cost') }}
),

inputs as (
    select
        measured.*,
        acquisition_cost.cac
    from measured
    left join acquisition_cost
        on measured.grain = acquisition_cost.grain
        and measured.period_start = acquisition_cost.period_start
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
        cast(annual_purchase_frequency as double) as annual_purchase_frequency,
        cast(gross_margin_pct as double) as gross_margin_pct,
        clv_basis,
        cast(prior_customers as {{ dbt.type_bigint() }}) as churn_base_customers,
        cast(churned_customers as {{ dbt.type_bigint() }}) as churned_customers,
        cast(annual_churn_rate as double) as annual_churn_rate,
        cast(expected_lifetime_years as double) as expected_lifetime_years,
        {{ money('annual_value_per_customer * expected_lifetime_years') }} as predicted_clv,
        cac,
        {{ safe_divide('annual_value_per_customer * expected_lifetime_years', 'cac') }} as ltv_to_cac,
        {{ safe_divide('cac', 'annual_value_per_customer / 12.0') }} as cac_payback_months
    from lifetimes
)

select * from final
