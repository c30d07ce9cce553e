{{ config(materialized=incremental_unless_spark(), unique_key='line_id') }}

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
        {{ parse_money('unit_price') }} as unit_price,
        {{ parse_money('list_price') }} as list_price,
        {{ parse_money('total_price') }} as total_price,
        {{ parse_money('cost') }} as cost,
        _source_name,
        _source_file,
        _source_line,
        _loaded_at
    from source
)

select * from renamed
