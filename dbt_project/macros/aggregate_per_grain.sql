{#
    rows_per_grain, aggregated: one row per grain x period_start x key columns, with the measures (SQL
    expressions with their aliases, e.g. 'count(*) as leads'). grains: only these grains (default all five).
#}
{% macro aggregate_per_grain(relation, date_column, keys, measures, grains=none) -%}
    select
        grain,
        period_start,
        {%- for column in keys + measures %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from ({{ rows_per_grain(relation, date_column) }}) as {{ relation }}_per_grain
    {%- if grains %}
    where grain in ('{{ grains | join("', '") }}')
    {%- endif %}
    group by grain, period_start, {{ keys | join(', ') }}
{%- endmacro %}
