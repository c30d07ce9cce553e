{#
    Intermediate models rebuilt per deal (docs/architecture.md "Incremental builds"). On DuckDB the models
    downstream of the incremental staging that hold one or a few rows per deal are incremental with the strategy
    `replace_keys`: a build computes only the deals its new input touches (the model's `replaced_keys` macro: the
    keys of the deals a newer load changed, of the deals that left the model, and of the deals whose rows depend
    on them), deletes the model's rows of those keys and inserts the rows computed for them. Rows with a NULL key
    are always replaced. Every row keeps `_loaded_at`, the newest load it was computed from (new_loads in
    macros/incremental.sql reads what came after it), and `_inputs_digest`, a digest of the small inputs every deal
    depends on (accounts, reps, products, currency rates): when they changed since the model's last build, every
    deal is computed again. On Spark these models are tables, rebuilt whole, and the digest is NULL.
#}

{#- delete the target's rows of the replaced keys (replaced_keys_table), insert the new rows -#}
{% macro get_incremental_replace_keys_sql(arg_dict) -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ key }} is null or {{ key }} in (select replaced_key from {{ replaced_keys_table() }});
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#-
    The table an incremental build computes the model's replaced keys into once (its `replaced_keys` macro,
    before the model's query: the pre_hook materialize_replaced_keys), read by every filter of the query
    (only_replaced) and by the delete; dropped after the build (drop_replaced_keys). Evaluated in place, the
    macro's scans of the inputs and of the model ran once per filter and again in the delete.
-#}
{% macro replaced_keys_table() -%}
    {{ return(this.incorporate(path={'identifier': '_' ~ this.identifier ~ '__replaced_keys'})) }}
{%- endmacro %}

{#- the pre_hook of a replace_keys model: its replaced keys into replaced_keys_table (incremental builds only) -#}
{% macro materialize_replaced_keys() -%}
    {%- if is_incremental() -%}
        create or replace table {{ replaced_keys_table() }} as
        select distinct replaced_key from ({{ context[config.get('replaced_keys')]() }}) as replaced(replaced_key)
    {%- endif -%}
{%- endmacro %}

{#- its post_hook -#}
{% macro drop_replaced_keys() -%}
    {%- if is_incremental() -%}
        drop table if exists {{ replaced_keys_table() }}
    {%- endif -%}
{%- endmacro %}

{#- Rows of the replaced keys only (the filter of an incremental build; every row otherwise). -#}
{% macro only_replaced(key) -%}
    {%- if is_incremental() -%}
        ({{ key }} is null or {{ key }} in (select replaced_key from {{ replaced_keys_table() }}))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- An order-independent digest of every row of a relation (DuckDB). -#}
{% macro rows_digest(relation) -%}
    (select cast(coalesce(sum(cast(hash(digested) as hugeint)), 0) as {{ dbt.type_string() }}) from {{ relation }} as digested)
{%- endmacro %}

{#- The digest of the relations every row depends on: the `_inputs_digest` column (NULL on Spark). -#}
{% macro inputs_digest(relations) -%}
    {%- if target.type == 'duckdb' -%}
        {%- for relation in relations %}{{ rows_digest(relation) }}{{ " || ':' || " if not loop.last }}{% endfor -%}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- True when the inputs' digest differs from the one the model's rows were computed with (or it has none). -#}
{% macro inputs_changed(relations) -%}
    coalesce((select max(_inputs_digest) from {{ this }}) <> {{ inputs_digest(relations) }}, true)
{%- endmacro %}

{#- the small inputs every line's row of int_opportunity_lines_costed depends on (_inputs_digest) -#}
{% macro lines_costed_inputs() -%}
    {{ return([ref('int_products_unioned'), ref('int_currency_rates')]) }}
{%- endmacro %}

{#-
    The deals whose lines an incremental build of int_opportunity_lines_costed computes again (DuckDB): every
    deal when the products or rates changed; the deals of lines loaded since the model's newest row and the
    deals those lines were with before; deals loaded since (currency, close date: the rates); deals deleted.
-#}
{% macro lines_costed_replaced_deals() -%}
    {%- set lines = ref('int_opportunity_lines_unioned') -%}
    with
    changed_lines as (
        select line_id, opportunity_id from {{ lines }}
        where {{ new_loads() }} or {{ inputs_changed(lines_costed_inputs()) }}
    )
    select opportunity_id from changed_lines
    union
    select opportunity_id from {{ this }} where line_id in (select line_id from changed_lines)
    union
    select opportunity_id from {{ ref('int_opportunities_unioned') }} where {{ new_loads() }}
    union
    select opportunity_id from {{ this }}
    where opportunity_id in (select opportunity_id from {{ ref('int_opportunities_deleted') }})
{%- endmacro %}
