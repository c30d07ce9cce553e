{#
    Every product a line can point at: the Product2 catalogue, ids that only appear on lines, and `unknown`,
    which carries won revenue the lines do not explain (see int_revenue_lines_allocated).
#}
with

products as (
    select * from {{ ref('int_products_unioned') }}
),

lines as (
    select * from {{ ref('int_opportunity_lines_costed') }}
),

referenced_product_ids as (
    select product_id from lines
    union
    select 'unknown' as product_id
),

exported_products as (
    select
        product_id,
        product_name,
        product_code,
        product_family,
        is_active,
        list_price,
        unit_cost,
        false as is_inferred
    from products
),

inferred_products as (
    select
        referenced_product_ids.product_id,
        case when referenced_product_ids.product_id = 'unknown' then 'unknown' end as product_name,
        cast(null as {{ dbt.type_string() }}) as product_code,
        case when referenced_product_ids.product_id = 'unknown' then 'unknown' end as product_family,
        cast(null as boolean) as is_active,
        cast(null as decimal(38, 6)) as list_price,
        cast(null as decimal(38, 6)) as unit_cost,
        true as is_inferred
    from referenced_product_ids
    left join products
        on referenced_product_ids.product_id = products.product_id
    where products.product_id is null
),

final as (
    select * from exported_products
    union all
    select * from inferred_products
)

select * from final
