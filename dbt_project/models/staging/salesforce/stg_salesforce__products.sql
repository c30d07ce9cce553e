with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__product2'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as product_id,
        nullif({{ adapter.quote('Name') }}, '') as product_name,
        {{ text_or_null(adapter.quote('ProductCode')) }} as product_code,
        {{ text_or_null(adapter.quote('Family')) }} as product_family,
        coalesce({{ parse_boolean(adapter.quote('IsActive')) }}, true) as is_active,
        {{ parse_money(adapter.quote('List_Price__c')) }} as list_price,
        {{ parse_money(adapter.quote('Unit_Cost__c')) }} as unit_cost,
        {{ parse_timestamp(adapter.quote('CreatedDate')) }} as created_at,
        _source_file,
        _source_line
    from source
)

select * from renamed
