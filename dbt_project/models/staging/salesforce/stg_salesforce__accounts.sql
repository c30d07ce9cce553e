with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__account'), ['"Id"']) }}
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as account_id,
        nullif("Name", '') as account_name,
        {{ text_or_null('"Type"') }} as account_type,
        {{ text_or_null('"Industry"') }} as industry,
        {{ text_or_null('"Segment__c"') }} as segment,
        nullif("BillingCity", '') as city,
        {{ text_or_null('"BillingState"') }} as state,
        {{ text_or_null('"BillingCountry"') }} as country,
        {{ text_or_null('"Region__c"') }} as region,
        {{ text_or_null('"OwnerId"') }} as owner_id,
        {{ parse_timestamp('"CreatedDate"') }} as created_at,
        {{ parse_date('"CreatedDate"') }} as created_date,
        coalesce({{ parse_boolean('"IsDeleted"') }}, false) as is_deleted,
        _source_file,
        _source_line
    from source
)

select * from renamed
