{#
    Cost of goods sold per line = quantity x the product's unit cost (Product2.Unit_Cost__c), rounded to the
    cent per line so every total built from lines adds up the same way; NULL when the unit cost is unknown.
    List price: the line's own, else the catalogue's. Discount = (list price - sold unit price) x quantity,
    NULL where no list price is known.
#}
with

lines as (
    select * from {{ ref('stg_salesforce__opportunity_line_items') }}
),

products as (
    select * from {{ ref('stg_salesforce__products') }}
),

lines_joined_to_products as (
    select
        lines.line_id,
        lines.opportunity_id,
        coalesce(lines.product_id, 'unknown') as product_id,
        lines.quantity,
        lines.unit_price,
        coalesce(lines.list_price, products.list_price) as list_price,
        coalesce(lines.total_price, round(lines.quantity * lines.unit_price, 2)) as total_price,
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
        {{ money('total_price') }} as total_price,
        unit_cost,
        {{ money('round(quantity * unit_cost, 2)') }} as cost,
        {{ money('round((list_price - unit_price) * quantity, 2)') }} as discount_amount,
        _source_file,
        _source_line
    from lines_joined_to_products
)

select * from final
