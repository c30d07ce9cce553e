with

source as (
    {{ latest_export_rows(source('canonical', 'canonical__opportunity_lines'), ['line_id']) }}
),

renamed as (
    select
        {{ text_or_null('line_id') }} as line_id,
        {{ text_or_null('opportunity_id') }} as opportunity_id,
        {{ text_or_null('product_id') }} as product_id,
        {{ parse_decimal('quantity', 18, 4) }} as quantity,
        {{ parse_decimal('unit_price', 18, 4) }} as unit_price,
        {{ parse_decimal('list_price', 18, 4) }} as list_price,
        {{ parse_decimal('total_price', 18, 4) }} as total_price,
        {{ parse_decimal('cost', 18, 4) }} as cost,
        _source_name,
        _source_file,
        _source_line
    from source
)

select * from renamed
