{{ config(materialized=incremental_unless_spark(), unique_key='line_id') }}

with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__opportunity_line_item'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as line_id,
        {{ text_or_null(adapter.quote('OpportunityId')) }} as opportunity_id,
        {{ text_or_null(adapter.quote('Product2Id')) }} as product_id,
        {{ text_or_null(adapter.quote('PricebookEntryId')) }} as pricebook_entry_id,
        {{ parse_decimal(adapter.quote('Quantity')) }} as quantity,
        {{ parse_money(adapter.quote('UnitPrice')) }} as unit_price,
        {{ parse_money(adapter.quote('ListPrice')) }} as list_price,
        {{ parse_money(adapter.quote('TotalPrice')) }} as total_price,
        {{ parse_decimal(adapter.quote('Discount'), 9, 4) }} as discount_percent,
        {{ parse_date(adapter.quote('ServiceDate')) }} as service_date,
        {{ parse_timestamp(adapter.quote('CreatedDate')) }} as created_at,
        _source_file,
        _source_line,
        _loaded_at
    from source
)

select * from renamed
