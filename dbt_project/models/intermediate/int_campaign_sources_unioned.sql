{#
    Campaigns from every source in one shape: the Salesforce Campaign export and campaigns of mapped exports
    (canonical campaigns). Canonical campaigns carry no status; their actual cost may have 4 decimals (kept
    exact: money is DECIMAL(38,6)).
#}
with

salesforce_campaigns as (
    select * from {{ ref('stg_salesforce__campaigns') }}
),

canonical_campaigns as (
    select * from {{ ref('stg_canonical__campaigns') }}
),

salesforce_renamed as (
    select
        campaign_id,
        campaign_name,
        channel,
        status,
        start_date,
        end_date,
        cast(actual_cost as decimal(38, 6)) as actual_cost,
        'salesforce' as _source_name
    from salesforce_campaigns
),

canonical_renamed as (
    select
        campaign_id,
        campaign_name,
        channel,
        cast(null as {{ dbt.type_string() }}) as status,
        start_date,
        end_date,
        cast(actual_cost as decimal(38, 6)) as actual_cost,
        _source_name
    from canonical_campaigns
),

final as (
    select * from salesforce_renamed
    union all
    {#- An id in a Salesforce export and in a mapped export is one record exported twice: the Data Export's wins. #}
    select * from canonical_renamed
    where campaign_id not in (select campaign_id from salesforce_renamed where campaign_id is not null)
)

select * from final
