{#
    Incremental models (docs/architecture.md "Incremental builds"). On DuckDB the per-record staging models and
    int_stage_history_from_exports are dbt incremental models (delete+insert on their key): each reads only the rows
    of raw loaded after the newest `_loaded_at` it holds itself, so a build that failed or was killed half-way
    leaves each model to catch up from its own state at the next build. The pipeline runs `dbt build
    --full-refresh` whenever raw lost or replaced rows, or the dbt project or its settings changed, since the last
    full build (pipelines/lib/transform/fingerprint.py, full_refresh_reason). On Spark the catalog lives in the
    session and every build is a full one: these models are views (staging) or tables there, and is_incremental()
    is never true.
#}

{#- The materialization of an incremental model: `on_spark` (view or table) on the spark target. -#}
{% macro incremental_unless_spark(on_spark='view') -%}
    {{ return(on_spark if target.type == 'spark' else 'incremental') }}
{%- endmacro %}

{#- Rows of loads newer than the model's newest row (every row when it has none). DuckDB only. -#}
{% macro new_loads() -%}
    _loaded_at > (select coalesce(max(_loaded_at), cast('0001-01-01' as timestamp)) from {{ this }})
{%- endmacro %}

{#-
    True when the scale probability_fraction decides for the whole raw table (0..1 or 0..100) differs between the
    rows the model last read and all rows now: every stored probability is then on the wrong scale, and every row
    is read again.
-#}
{% macro probability_scale_changed(expression, relation) -%}
    coalesce((
        select max({{ expression }}) from {{ relation }}
        where _loaded_at <= (select max(_loaded_at) from {{ this }})
    ) <= 1, false)
    <> coalesce((select max({{ expression }}) from {{ relation }}) <= 1, false)
{%- endmacro %}
