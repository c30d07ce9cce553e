{#
    What acquisition_cost divides, per channel and grain (month, quarter, year) x period: marketing spend and
    new customers with their revenue. Every channel gets every period (zeros). A channel is a lead source
    mapped through var lead_source_channels (int_marketing_channel_map); campaign spend goes to the channel
    its campaign type maps to under the same map, and a new customer to the channel its first won deal's lead
    source maps to. Channel `all` is every campaign's spend and every new customer, so it equals the sum of
    the channels and sales_by_period's new_customers.
#}
{%- set acquisition_grains = ['month', 'quarter', 'year'] %}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

campaigns as (
    select * from {{ ref('int_campaigns_channeled') }}
),

spend_daily as (
    select * from {{ ref('int_campaign_spend_daily') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

channel_map as (
    select * from {{ ref('int_marketing_channel_map') }}
),

acquisition_periods as (
    select
        grain,
        period_start,
        period_end
    from periods
    where grain in ('{{ acquisition_grains | join("', '") }}')
),

channels as (
    select distinct channel from channel_map
    union
    select distinct channel from campaigns
    union
    select 'all' as channel
),

channel_periods as (
    select
        acquisition_periods.grain,
        acquisition_periods.period_start,
        acquisition_periods.period_end,
        channels.channel
    from acquisition_periods
    cross join channels
),

channel_spend_daily as (
    select
        campaigns.channel,
        spend_daily.spend_date,
        spend_daily.spend
    from spend_daily
    inner join campaigns
        on spend_daily.campaign_id = campaigns.campaign_id
),

spend_by_period as (
    {{ aggregate_per_grain(
        'channel_spend_daily', 'spend_date', ['channel'], ['sum(spend) as marketing_spend'], acquisition_grains
    ) }}
),

new_customers as (
    select
        coalesce(channel_map.channel, opportunities.lead_source) as channel,
        opportunities.close_date,
        opportunities.amount
    from opportunities
    left join channel_map
        on opportunities.lead_source = channel_map.source_value
    where opportunities.status = 'won'
        and opportunities.is_first_won_deal
),

new_customers_by_period as (
    {{ aggregate_per_grain(
        'new_customers', 'close_date', ['channel'],
        ['count(*) as new_customers', 'sum(amount) as new_customer_revenue'], acquisition_grains
    ) }}
),

spend_with_all as (
    {#- Channel `all` sums the channel rows, so it adds up to them by construction. #}
    select grain, period_start, channel, marketing_spend from spend_by_period
    union all
    select grain, period_start, 'all' as channel, sum(marketing_spend) as marketing_spend
    from spend_by_period
    group by grain, period_start
),

new_customers_with_all as (
    select grain, period_start, channel, new_customers, new_customer_revenue from new_customers_by_period
    union all
    select
        grain,
        period_start,
        'all' as channel,
        sum(new_customers) as new_customers,
        sum(new_customer_revenue) as new_customer_revenue
    from new_customers_by_period
    group by grain, period_start
),

final as (
    select
        channel_periods.grain,
        channel_periods.period_start,
        channel_periods.period_end,
        channel_periods.channel,
        coalesce(spend_with_all.marketing_spend, 0) as marketing_spend,
        coalesce(new_customers_with_all.new_customers, 0) as new_customers,
        coalesce(new_customers_with_all.new_customer_revenue, 0) as new_customer_revenue
    from channel_periods
    left join spend_with_all
        on channel_periods.grain = spend_with_all.grain
        and channel_periods.period_start = spend_with_all.period_start
        and channel_periods.channel = spend_with_all.channel
    left join new_customers_with_all
        on channel_periods.grain = new_customers_with_all.grain
        and channel_periods.period_start = new_customers_with_all.period_start
        and channel_periods.channel = new_customers_with_all.channel
)

select * from final
