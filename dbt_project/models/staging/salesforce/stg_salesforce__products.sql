with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__product2'), ['"Id"']) }}
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as product_id,
        nullif("Name", '') as product_name,
        {{ text_or_null('"ProductCode"') }} as product_code,
        {{ text_or_null('"Family"') }} as product_family,
        coalesce({{ parse_boolean('"IsActive"') }}, true) as is_active,
        {{ parse_money('"List_Price__c"') }} as list_price,
        {{ parse_money('"Unit_Cost__c"') }} as unit_cost,
        {{ parse_timestamp('"CreatedDate"') }} as created_at,
        _source_file,
        _source_line
    from source
)

select * from renamed
