with

source as (
    {{ latest_export_rows(source('canonical', 'canonical__products'), ['product_id']) }}
),

renamed as (
    select
        {{ text_or_null('product_id') }} as product_id,
        {{ text_or_null('product_name') }} as product_name,
        {{ text_or_null('product_family') }} as product_family,
        {{ parse_money('unit_cost') }} as unit_cost,
        {{ parse_money('list_price') }} as list_price,
        _source_name,
        _source_file,
        _source_line
    from source
)

select * from renamed
