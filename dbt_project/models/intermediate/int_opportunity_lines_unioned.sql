{#
    Opportunity lines from every source in canonical columns: the Salesforce OpportunityLineItem export and
    the canonical lines of mapped exports. Money at DECIMAL(38,6), exact: order-style exports have line totals
    with 4 decimals (unit price x quantity x (1 - discount)), never rounded to the cent in the warehouse.
#}
{#-
    Incremental on DuckDB (macros/incremental.sql, delete+insert on line_id): a build reads the staging rows of
    loads newer than the model's newest row, and replaces those lines' rows. A line's staging row only ever
    changes with a newer load (staging is incremental the same way), and a Salesforce line that arrives for a
    line a mapped export already held replaces it by its key. On Spark, a table.
#}
{{ config(materialized=incremental_unless_spark('table'), unique_key='line_id') }}

with

salesforce_lines as (
    select * from {{ ref('stg_salesforce__opportunity_line_items') }}
),

canonical_lines as (
    select * from {{ ref('stg_canonical__opportunity_lines') }}
),

salesforce_renamed as (
    select
        line_id,
        opportunity_id,
        product_id,
        cast(quantity as decimal(18, 4)) as quantity,
        cast(unit_price as decimal(38, 6)) as unit_price,
        cast(list_price as decimal(38, 6)) as list_price,
        cast(total_price as decimal(38, 6)) as total_price,
        cast(null as decimal(38, 6)) as cost,
        'salesforce' as _source_name,
        _source_file,
        _source_line,
        _loaded_at
    from salesforce_lines
    where {{ new_loads() if is_incremental() else 'true' }}
),

canonical_renamed as (
    select
        line_id,
        opportunity_id,
        product_id,
        quantity,
        unit_price,
        list_price,
        total_price,
        cost,
        _source_name,
        _source_file,
        _source_line,
        _loaded_at
    from canonical_lines
    where {{ new_loads() if is_incremental() else 'true' }}
),

final as (
    select * from salesforce_renamed
    union all
    {#- An id in a Salesforce export and in a mapped export is one record exported twice: the Data Export's wins. #}
    select * from canonical_renamed
    where line_id not in (select line_id from salesforce_lines where line_id is not null)
)

select * from final
