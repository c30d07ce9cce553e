with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__opportunity_line_item'), ['"Id"']) }}
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as line_id,
        {{ text_or_null('"OpportunityId"') }} as opportunity_id,
        {{ text_or_null('"Product2Id"') }} as product_id,
        {{ text_or_null('"PricebookEntryId"') }} as pricebook_entry_id,
        {{ parse_decimal('"Quantity"') }} as quantity,
        {{ parse_money('"UnitPrice"') }} as unit_price,
        {{ parse_money('"ListPrice"') }} as list_price,
        {{ parse_money('"TotalPrice"') }} as total_price,
        {{ parse_decimal('"Discount"', 9, 4) }} as discount_percent,
        {{ parse_date('"ServiceDate"') }} as service_date,
        {{ parse_timestamp('"CreatedDate"') }} as created_at,
        _source_file,
        _source_line
    from source
)

select * from renamed
