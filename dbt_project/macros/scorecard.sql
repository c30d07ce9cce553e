{#
    Long format for the scorecard: one select per KPI column of a wide mart, unioned. Portable SQL (no
    UNPIVOT), and every actual is cast to one type so money stays exact and rates keep six decimals.
#}
{% macro kpi_rows(relation, scope, scope_id, scope_name, kpis) -%}
    {%- for kpi in kpis %}
    select
        grain,
        period_start,
        period_end,
        '{{ scope }}' as scope,
        {{ scope_id }} as scope_id,
        {{ scope_name }} as scope_name,
        '{{ kpi }}' as kpi,
        {{ to_decimal_38_6(kpi) }} as actual
    from {{ relation }}
    where grain in ({{ scorecard_grain_list() }})
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{% macro scorecard_grain_list() -%}
    {%- for grain in var('scorecard_grains') -%}
        '{{ grain }}'{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
