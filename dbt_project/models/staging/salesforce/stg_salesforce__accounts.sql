{{ config(materialized=incremental_unless_spark(), unique_key='account_id') }}

with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__account'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as account_id,
        nullif({{ adapter.quote('Name') }}, '') as account_name,
        {{ text_or_null(adapter.quote('Type')) }} as account_type,
        {{ text_or_null(adapter.quote('Industry')) }} as industry,
        {{ text_or_null(adapter.quote('Segment__c')) }} as segment,
        nullif({{ adapter.quote('BillingCity') }}, '') as city,
        {{ text_or_null(adapter.quote('BillingState')) }} as state,
        {{ text_or_null(adapter.quote('BillingCountry')) }} as country,
        {{ text_or_null(adapter.quote('Region__c')) }} as region,
        {{ text_or_null(adapter.quote('OwnerId')) }} as owner_id,
        {{ parse_timestamp(adapter.quote('CreatedDate')) }} as created_at,
        {{ parse_date(adapter.quote('CreatedDate')) }} as created_date,
        coalesce({{ parse_boolean(adapter.quote('IsDeleted')) }}, false) as is_deleted,
        _source_file,
        _source_line,
        _loaded_at
    from source
)

select * from renamed
