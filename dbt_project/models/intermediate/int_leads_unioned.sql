{#
    Leads from every source in canonical columns (Salesforce Lead export, mapped exports).
    A mapped lead whose converted_opportunity_id names an existing opportunity counts as converted even when
    is_converted is empty (exports such as Olist's only link the won deal to the lead); an id that names no
    opportunity is dropped (NULL), so it never points nowhere.
#}
with

salesforce_leads as (
    select * from {{ ref('stg_salesforce__leads') }}
),

canonical_leads as (
    select * from {{ ref('stg_canonical__leads') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_unioned') }}
),

opportunity_ids as (
    select distinct opportunity_id
    from opportunities
    where opportunity_id is not null
),

salesforce_renamed as (
    select
        lead_id,
        created_at,
        created_date,
        lead_source,
        status,
        is_converted,
        converted_date,
        converted_account_id,
        converted_opportunity_id,
        owner_id,
        company,
        industry,
        country,
        'salesforce' as _source_name,
        _source_file,
        _source_line
    from salesforce_leads
),

canonical_renamed as (
    select
        canonical_leads.lead_id,
        cast(canonical_leads.created_date as {{ dbt.type_timestamp() }}) as created_at,
        canonical_leads.created_date,
        canonical_leads.lead_source,
        canonical_leads.status,
        coalesce(canonical_leads.is_converted, opportunity_ids.opportunity_id is not null) as is_converted,
        canonical_leads.converted_date,
        canonical_leads.converted_account_id,
        opportunity_ids.opportunity_id as converted_opportunity_id,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as company,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as {{ dbt.type_string() }}) as country,
        canonical_leads._source_name,
        canonical_leads._source_file,
        canonical_leads._source_line
    from canonical_leads
    left join opportunity_ids
        on canonical_leads.converted_opportunity_id = opportunity_ids.opportunity_id
),

final as (
    select * from salesforce_renamed
    union all
    {#- An id in a Salesforce export and in a mapped export is one record exported twice: the Data Export's wins. #}
    select * from canonical_renamed
    where lead_id not in (select lead_id from salesforce_renamed where lead_id is not null)
)

select * from final
