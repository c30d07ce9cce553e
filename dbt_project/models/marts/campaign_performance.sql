{#
    Per campaign and grain x period. Spend is the campaign's actual cost spread evenly over its days
    (int_campaign_spend_daily, exact); leads count on their created_date, opportunities on
    created_date, won deals and revenue on close_date, each credited to the opportunity's campaign, else its
    originating lead's (int_campaign_opportunities_attributed).
    Rows (int_campaign_periods): every campaign gets every period of the calendar from the one holding its
    first date (its start date, or an earlier lead or opportunity it is credited with) to the end of the
    data, with zeros where nothing happened, so no period is missing and nothing credited to a campaign
    falls outside its rows. Campaigns that start after the last date of the data (planned) have no rows yet.
    Spend is counted on every day of a period, so a week, quarter or year still running holds the remaining planned
    days of a running campaign; spend on days outside every period (after the last one) is in none.
    cost_per_sale is the exact quotient to six decimals, half away from zero, in integer arithmetic
    (divide_money), so a tie never rounds the wrong way through a binary double; it is not rounded to the cent.
#}
with

campaign_periods as (
    select * from {{ ref('int_campaign_periods') }}
),

spend_daily as (
    select * from {{ ref('int_campaign_spend_daily') }}
),

campaign_leads as (
    select * from {{ ref('int_campaign_leads') }}
),

campaign_opportunities as (
    select * from {{ ref('int_campaign_opportunities_attributed') }}
),

spend_by_period as (
    {{ aggregate_per_grain('spend_daily', 'spend_date', ['campaign_id'], ['sum(spend) as spend']) }}
),

leads_by_period as (
    {{ aggregate_per_grain('campaign_leads', 'created_date', ['campaign_id'], ['count(*) as leads']) }}
),

opportunities_by_period as (
    {{ aggregate_per_grain('campaign_opportunities', 'created_date', ['campaign_id'], ['count(*) as opportunities']) }}
),

won_deals as (
    select
        campaign_id,
        close_date,
        amount
    from campaign_opportunities
    where status = 'won'
),

won_by_period as (
    {{ aggregate_per_grain(
        'won_deals', 'close_date', ['campaign_id'], ['count(*) as deals_won', 'sum(amount) as revenue']
    ) }}
),

campaign_periods_joined as (
    select
        campaign_periods.grain,
        campaign_periods.period_start,
        campaign_periods.period_end,
        campaign_periods.campaign_id,
        campaign_periods.campaign_name,
        campaign_periods.campaign_type,
        campaign_periods.channel,
        coalesce(spend_by_period.spend, 0) as spend,
        coalesce(leads_by_period.leads, 0) as leads,
        coalesce(opportunities_by_period.opportunities, 0) as opportunities,
        coalesce(won_by_period.deals_won, 0) as deals_won,
        coalesce(won_by_period.revenue, 0) as revenue
    from campaign_periods
    left join spend_by_period
        on campaign_periods.grain = spend_by_period.grain
        and campaign_periods.period_start = spend_by_period.period_start
        and campaign_periods.campaign_id = spend_by_period.campaign_id
    left join leads_by_period
        on campaign_periods.grain = leads_by_period.grain
        and campaign_periods.period_start = leads_by_period.period_start
        and campaign_periods.campaign_id = leads_by_period.campaign_id
    left join opportunities_by_period
        on campaign_periods.grain = opportunities_by_period.grain
        and campaign_periods.period_start = opportunities_by_period.period_start
        and campaign_periods.campaign_id = opportunities_by_period.campaign_id
    left join won_by_period
        on campaign_periods.grain = won_by_period.grain
        and campaign_periods.period_start = won_by_period.period_start
        and campaign_periods.campaign_id = won_by_period.campaign_id
),

final as (
    select
        grain,
        period_start,
        period_end,
        campaign_id,
        campaign_name,
        campaign_type as channel,
        channel as acquisition_channel,
        {{ money('spend') }} as spend,
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        cast(opportunities as {{ dbt.type_bigint() }}) as opportunities,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        {{ money('revenue') }} as revenue,
        {{ divide_money('spend', 'deals_won') }} as cost_per_sale,
        {{ safe_divide('revenue - spend', 'spend') }} as roi
    from campaign_periods_joined
)

select * from final
