{#
    Cost of goods sold per line = the line's own cost where the export gives one, else quantity x the
    product's unit cost (Product2.Unit_Cost__c), exact (never rounded to the cent per line: a year of lines
    rounded one by one misses the true cost); NULL when the unit cost is unknown. Money is DECIMAL(38,6)
    (order-style exports have 4-decimal line totals); nothing is rounded to the cent in the warehouse.
    List price: the line's own, else the catalogue's. Discount = (list price - sold unit price) x quantity,
    NULL where no list price is known.
    Currencies: a line's prices and cost are in its deal's currency and convert at the deal's rates (those of
    its close date, int_opportunities_unioned), exactly as the deal's amount; NULL where the deal's currency has
    no rate. The catalogue's unit cost and list price are taken in the reporting currency.
    The lines of a deal deleted in the CRM (int_opportunities_deleted) are left out with it.
#}
{#-
    Incremental on DuckDB (macros/replace_keys.sql): a build computes again the lines of the deals
    lines_costed_replaced_deals names (below). On Spark, a table.
#}
{{ config(
    materialized=incremental_unless_spark('table'), incremental_strategy='replace_keys',
    unique_key='opportunity_id', replaced_keys='lines_costed_replaced_deals',
    pre_hook='{{ materialize_replaced_keys() }}', post_hook='{{ drop_replaced_keys() }}'
) }}

with

lines as (
    select * from {{ ref('int_opportunity_lines_unioned') }}
),

products as (
    select * from {{ ref('int_products_unioned') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_unioned') }}
),

deleted as (
    select * from {{ ref('int_opportunities_deleted') }}
),

{%- set converted = {} %}
{%- for column in ['unit_price', 'list_price', 'total_price', 'cost'] %}
    {%- do converted.update({column: "case when opportunities.rate_basis in ('dated', 'static') then "
        ~ convert_money('lines.' ~ column, 'opportunities.rate_original', 'opportunities.rate_reporting')
        ~ " when opportunities.rate_basis = 'missing' then null else lines." ~ column ~ " end"}) %}
{%- endfor %}

lines_converted as (
    select
        lines.line_id,
        lines.opportunity_id,
        lines.product_id,
        lines.quantity,
        {{ converted['unit_price'] }} as unit_price,
        {{ converted['list_price'] }} as list_price,
        {#- a line without a total is quantity x unit price, converted as one amount #}
        {{ converted['total_price'] | replace('lines.total_price', 'coalesce(lines.total_price, lines.quantity * lines.unit_price)') }} as total_price,
        {{ converted['cost'] }} as cost,
        lines.total_price as total_price_original,
        opportunities.currency_original,
        lines._source_file,
        lines._source_line,
        greatest(lines._loaded_at, opportunities._loaded_at) as _loaded_at
    from lines
    left join opportunities
        on lines.opportunity_id = opportunities.opportunity_id
    {#- the lines of a deal deleted in the CRM go with it #}
    where not exists (select 1 from deleted where deleted.opportunity_id = lines.opportunity_id)
        and {{ only_replaced('lines.opportunity_id') }}
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
        lines.total_price_original,
        lines.currency_original,
        lines._source_file,
        lines._source_line,
        lines._loaded_at
    from lines_converted as lines
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
        total_price_original,
        currency_original,
        _source_file,
        _source_line,
        _loaded_at,
        {{ inputs_digest(lines_costed_inputs()) }} as _inputs_digest
    from lines_joined_to_products
)

select * from final
