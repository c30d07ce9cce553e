with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__lead'), ['"Id"']) }}
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as lead_id,
        nullif("FirstName", '') as first_name,
        nullif("LastName", '') as last_name,
        nullif("Company", '') as company,
        {{ text_or_null('"Industry"') }} as industry,
        {{ text_or_null('"Country"') }} as country,
        {{ text_or_null('"LeadSource"') }} as lead_source,
        {{ text_or_null('"Status"') }} as status,
        coalesce({{ parse_boolean('"IsConverted"') }}, false) as is_converted,
        {{ parse_date('"ConvertedDate"') }} as converted_date,
        {{ text_or_null('"ConvertedAccountId"') }} as converted_account_id,
        {{ text_or_null('"ConvertedOpportunityId"') }} as converted_opportunity_id,
        {{ text_or_null('"OwnerId"') }} as owner_id,
        {{ parse_timestamp('"CreatedDate"') }} as created_at,
        {{ parse_date('"CreatedDate"') }} as created_date,
        _source_file,
        _source_line
    from source
)

select * from renamed
