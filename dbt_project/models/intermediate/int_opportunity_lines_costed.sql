{#
    Cost of goods sold per line = the line's own cost where the export gives one, else quantity x the
    product's unit cost (Product2.Unit_Cost__c), exact (never rounded to the cent per line: a year of lines
    rounded one by one misses the true cost); NULL when the unit cost is unknown. Money is DECIMAL(38,6)
    (order-style exports have 4-decimal line totals); nothing is rounded to the cent in the warehouse.
    List price: the line's own, else the catalogue's. Discount = (list price - sold unit price) x quantity,
    NULL where no list price is known.
#}
with

lines as (
    select * from {{ ref('int_opportunity_lines_unioned') }}
),

products as (
    select * from {{ ref('int_products_unioned') }}
),

lines_joined_to_products as (
    select
        lines.line_id,
        lines.opportunity_id,
        coalesce(lines.product_id, 'unknown') as product_id,
        lines.quantity,
        lines.unit_price,
        coalesce(lines.list_price, products.list_price) as list_price,
        coalesce(lines.total_price, lines.quantity * lines.unit_price) as total_price,
        lines.cost as line_cost,
        products.unit_cost,
        lines._source_file,
        lines._source_line
    from lines
    left join products
        on lines.product_id = products.product_id
),

final as (
    select
        line_id,
        opportunity_id,
        product_id,
        quantity,
        unit_price,
        list_price,
        cast(total_price as decimal(38, 6)) as total_price,
        unit_cost,
        {{ money('coalesce(line_cost, quantity * unit_cost)') }} as cost,
        cast((list_price - unit_price) * quantity as decimal(38, 6)) as discount_amount,
        _source_file,
        _source_line
    from lines_joined_to_products
)

select * from final
