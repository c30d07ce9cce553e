{# Products from every source in canonical columns (Salesforce Product2 export, mapped exports). #}
with

salesforce_products as (
    select * from {{ ref('stg_salesforce__products') }}
),

canonical_products as (
    select * from {{ ref('stg_canonical__products') }}
),

salesforce_renamed as (
    select
        product_id,
        product_name,
        product_code,
        product_family,
        is_active,
        cast(list_price as decimal(38, 6)) as list_price,
        cast(unit_cost as decimal(38, 6)) as unit_cost,
        'salesforce' as _source_name,
        _source_file,
        _source_line
    from salesforce_products
),

canonical_renamed as (
    select
        product_id,
        product_name,
        cast(null as {{ dbt.type_string() }}) as product_code,
        product_family,
        true as is_active,
        list_price,
        unit_cost,
        _source_name,
        _source_file,
        _source_line
    from canonical_products
),

final as (
    select * from salesforce_renamed
    union all
    {#- An id in a Salesforce export and in a mapped export is one record exported twice: the Data Export's wins. #}
    select * from canonical_renamed
    where product_id not in (select product_id from salesforce_renamed where product_id is not null)
)

select * from final
