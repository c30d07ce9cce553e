{#
    One row per campaign with its channel resolved: campaign_type is the export's Type (`unknown` when
    empty), channel that type mapped through var lead_source_channels (int_marketing_channel_map), so spend
    lands on the same channel names as the lead sources of the customers it brings. spread_spend is what the
    daily spread adds up to; a data test holds it equal to actual_cost.
#}
with

campaigns as (
    select * from {{ ref('int_campaign_sources_unioned') }}
),

channel_map as (
    select * from {{ ref('int_marketing_channel_map') }}
),

spend_daily as (
    select * from {{ ref('int_campaign_spend_daily') }}
),

spend_totals as (
    select
        campaign_id,
        count(*) as spend_days,
        sum(spend) as spread_spend
    from spend_daily
    group by campaign_id
),

campaigns_typed as (
    select
        campaign_id,
        campaign_name,
        coalesce(nullif(trim(channel), ''), 'unknown') as campaign_type,
        status,
        start_date,
        end_date,
        actual_cost
    from campaigns
),

final as (
    select
        campaigns_typed.campaign_id,
        campaigns_typed.campaign_name,
        campaigns_typed.campaign_type,
        coalesce(channel_map.channel, campaigns_typed.campaign_type) as channel,
        campaigns_typed.status,
        campaigns_typed.start_date,
        campaigns_typed.end_date,
        campaigns_typed.actual_cost,
        cast(coalesce(spend_totals.spend_days, 0) as {{ dbt.type_bigint() }}) as spend_days,
        {{ money('coalesce(spend_totals.spread_spend, 0)') }} as spread_spend
    from campaigns_typed
    left join channel_map
        on campaigns_typed.campaign_type = channel_map.source_value
    left join spend_totals
        on campaigns_typed.campaign_id = spend_totals.campaign_id
)

select * from final
