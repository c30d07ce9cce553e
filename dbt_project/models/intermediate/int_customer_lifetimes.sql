{#
    The inputs of customer_value: one row per account with at least one won deal closed on or before the
    as-of date (var as_of_date, else the last date of the data), with its lifetime and lookback activity, and
    the company's margin, churn and expected lifetime over the clv_lookback_months months up to the as-of
    date (the same on every row).
    - gross_margin_pct: revenue minus the known line costs, over all won deals (with or without an account)
      in the lookback, as sales_by_period computes it; NULL where no cost is known.
    - annual churn: of the customers active in the N months before the lookback, the share without a won
      deal in it, annualised as 1 - retention^(12 / N); expected lifetime: macro expected_lifetime_years.
#}
{%- set lookback_months = var('clv_lookback_months') %}
{%- set pinned_as_of = var('as_of_date') %}

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

as_of as (
    select
        coalesce(
            cast({{ 'null' if pinned_as_of is none else "'" ~ pinned_as_of ~ "'" }} as date),
            max(as_of_date)
        ) as as_of_date
    from periods
),

windows as (
    select
        as_of_date,
        {{ add_days(-var('active_customer_days'), 'as_of_date') }} as active_after,
        cast({{ dbt.dateadd('month', -lookback_months, 'as_of_date') }} as date) as lookback_after,
        cast({{ dbt.dateadd('month', -2 * lookback_months, 'as_of_date') }} as date) as prior_lookback_after
    from as_of
),

deal_costs as (
    select
        opportunity_id,
        sum(cost) as cost
    from revenue_allocations
    where cost is not null
    group by opportunity_id
),

won_deals as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.close_date,
        opportunities.amount,
        opportunities.is_first_won_deal,
        deal_costs.cost,
        opportunities.close_date > windows.active_after as is_in_active_window,
        opportunities.close_date > windows.lookback_after as is_in_lookback,
        opportunities.close_date > windows.prior_lookback_after
        and opportunities.close_date <= windows.lookback_after as is_in_prior_lookback
    from opportunities
    cross join windows
    left join deal_costs
        on opportunities.opportunity_id = deal_costs.opportunity_id
    where opportunities.status = 'won'
        and opportunities.close_date <= windows.as_of_date
),

account_lifetimes as (
    select
        account_id,
        min(close_date) as first_purchase_date,
        max(close_date) as last_purchase_date,
        max(case when is_first_won_deal then opportunity_id end) as first_opportunity_id,
        count(*) as deals_won,
        coalesce(sum(amount), 0) as lifetime_revenue,
        sum(cost) as known_cost,
        count(case when is_in_active_window then 1 end) > 0 as is_active,
        count(case when is_in_lookback then 1 end) as deals_won_in_lookback,
        count(case when is_in_prior_lookback then 1 end) > 0 as was_active_in_prior_lookback
    from won_deals
    where account_id is not null
    group by account_id
),

company_margin as (
    select
        case
            when sum(cost) is not null
                then {{ safe_divide('sum(amount) - sum(cost)', 'sum(amount)') }}
        end as gross_margin_pct
    from won_deals
    where is_in_lookback
),

company_churn as (
    select
        1 - power(
            {{ safe_divide(
                'count(case when was_active_in_prior_lookback and deals_won_in_lookback > 0 then 1 end)',
                'count(case when was_active_in_prior_lookback then 1 end)'
            ) }},
            12.0 / {{ lookback_months }}
        ) as annual_churn_rate
    from account_lifetimes
),

company_inputs as (
    select
        windows.as_of_date,
        company_margin.gross_margin_pct,
        company_churn.annual_churn_rate,
        {{ expected_lifetime_years('company_churn.annual_churn_rate') }} as expected_lifetime_years
    from windows
    cross join company_margin
    cross join company_churn
),

final as (
    select
        account_lifetimes.*,
        company_inputs.as_of_date,
        company_inputs.gross_margin_pct as company_gross_margin_pct,
        company_inputs.annual_churn_rate as company_annual_churn_rate,
        company_inputs.expected_lifetime_years
    from account_lifetimes
    cross join company_inputs
)

select * from final
