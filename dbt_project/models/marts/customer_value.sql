{#
    Customer value: one row per account with at least one won deal closed on or before the as-of date
    (var as_of_date, else the last date of the data). Accounts that never bought have no row.

    predicted_clv = avg_deal_size x annual purchase frequency x company gross_margin_pct x expected lifetime.
    - annual purchase frequency: the account's won deals in the clv_lookback_months months up to the as-of
      date (as_of - N months, as_of], scaled to a year (x 12 / N).
    - gross_margin_pct: the company's over those months, as sales_by_period computes it (revenue minus the
      known line costs, over all won deals, with or without an account); where no cost is known the factor
      is 1, i.e. CLV in revenue (clv_basis says which).
    - expected lifetime: macro expected_lifetime_years on the company's annual churn rate. Churn is measured
      over the same window: of the customers active in the N months before it, the share without a won deal
      in it; annualised as 1 - retention^(12 / N).
#}

{%- set lookback_months = var('clv_lookback_months') %}

with

customer_lifetimes as (
    select * from {{ ref('int_customer_lifetimes') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

accounts_joined as (
    select
        customer_lifetimes.*,
        accounts.account_name,
        coalesce({{ text_or_null('accounts.segment') }}, 'unknown') as segment,
        coalesce({{ text_or_null('accounts.industry') }}, 'unknown') as industry,
        {{ divide_money('customer_lifetimes.lifetime_revenue', 'customer_lifetimes.deals_won') }} as avg_deal_size,
        customer_lifetimes.deals_won_in_lookback * 12.0 / {{ lookback_months }} as annual_purchase_frequency
    from customer_lifetimes
    left join accounts
        on customer_lifetimes.account_id = accounts.account_id
),

final as (
    select
        account_id,
        account_name,
        segment,
        industry,
        first_purchase_date,
        last_purchase_date,
        first_opportunity_id,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        {{ money('lifetime_revenue') }} as lifetime_revenue,
        {{ money('lifetime_revenue - known_cost') }} as lifetime_gross_margin,
        avg_deal_size,
        is_active,
        as_of_date,
        cast(deals_won_in_lookback as {{ dbt.type_bigint() }}) as deals_won_in_lookback,
        cast(annual_purchase_frequency as double) as annual_purchase_frequency,
        cast(company_gross_margin_pct as double) as company_gross_margin_pct,
        cast(company_annual_churn_rate as double) as company_annual_churn_rate,
        cast(expected_lifetime_years as double) as expected_lifetime_years,
        case when company_gross_margin_pct is null then 'revenue' else 'gross_margin' end as clv_basis,
        {{ money(
            'avg_deal_size * annual_purchase_frequency * coalesce(company_gross_margin_pct, 1)'
            ~ ' * expected_lifetime_years'
        ) }} as predicted_clv
    from accounts_joined
)

select * from final
