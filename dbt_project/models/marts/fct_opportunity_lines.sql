with

lines as (
    select * from {{ ref('int_opportunity_lines_costed') }}
),

final as (
    select
        line_id,
        opportunity_id,
        product_id,
        quantity,
        unit_price,
        list_price,
        total_price,
        unit_cost,
        cost,
        discount_amount,
        total_price_original,
        currency_original,
        _source_file,
        _source_line
    from lines
)

select * from final
