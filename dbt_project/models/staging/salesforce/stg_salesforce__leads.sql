{{ config(materialized=incremental_unless_spark(), unique_key='lead_id') }}

with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__lead'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as lead_id,
        nullif({{ adapter.quote('FirstName') }}, '') as first_name,
        nullif({{ adapter.quote('LastName') }}, '') as last_name,
        nullif({{ adapter.quote('Company') }}, '') as company,
        {{ text_or_null(adapter.quote('Industry')) }} as industry,
        {{ text_or_null(adapter.quote('Country')) }} as country,
        {{ text_or_null(adapter.quote('LeadSource')) }} as lead_source,
        {{ text_or_null(adapter.quote('Status')) }} as status,
        coalesce({{ parse_boolean(adapter.quote('IsConverted')) }}, false) as is_converted,
        {{ parse_date(adapter.quote('ConvertedDate')) }} as converted_date,
        {{ text_or_null(adapter.quote('ConvertedAccountId')) }} as converted_account_id,
        {{ text_or_null(adapter.quote('ConvertedOpportunityId')) }} as converted_opportunity_id,
        {{ text_or_null(adapter.quote('OwnerId')) }} as owner_id,
        {{ parse_timestamp(adapter.quote('CreatedDate')) }} as created_at,
        {{ parse_date(adapter.quote('CreatedDate')) }} as created_date,
        _source_file,
        _source_line,
        _loaded_at
    from source
)

select * from renamed
