{#
    Every lead source and campaign type in the data, mapped to its marketing channel through var
    lead_source_channels: keys compare trimmed and case-insensitive, a value not listed maps to itself
    (trimmed), and an empty one is `unknown` before the map applies. Lead sources and campaign types go
    through the same map, so campaign spend and the customers it should bring meet on one channel name.
#}
{%- set channel_map = var('lead_source_channels') or {} %}

with

campaigns as (
    select * from {{ ref('int_campaign_sources_unioned') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
),

source_values as (
    select coalesce(nullif(trim(channel), ''), 'unknown') as source_value from campaigns
    union
    select coalesce(nullif(trim(lead_source), ''), 'unknown') as source_value from opportunities
    union
    select coalesce(nullif(trim(lead_source), ''), 'unknown') as source_value from leads
),

mapped as (
    select
        source_value,
        case
            {#- Never true: keeps the case valid when the map is empty. #}
            when source_value is null then 'unknown'
            {%- for source, channel in channel_map.items() %}
            when lower(source_value) = lower(trim('{{ dbt.escape_single_quotes(source) }}'))
                then trim('{{ dbt.escape_single_quotes(channel) }}')
            {%- endfor %}
            else source_value
        end as channel
    from source_values
),

final as (
    select
        source_value,
        channel
    from mapped
)

select * from final
