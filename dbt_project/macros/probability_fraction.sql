{#
    Probability as a 0..1 fraction. Salesforce exports 0..100, but some tools write 0..1, and a per-row rule
    cannot tell 1 % from 100 %: the scale is decided for the whole table. If no value exceeds 1 the column is
    already a fraction, otherwise every value is divided by 100. The maximum is a scalar subquery over the
    raw table rather than `max() over ()`, which on DuckDB costs a second pass over the whole wide result.
#}
{% macro probability_fraction(expression, relation) -%}
    cast(
        case
            when (select max({{ expression }}) from {{ relation }}) <= 1 then {{ expression }}
            else {{ expression }} / 100
        end
        as decimal(9, 6)
    )
{%- endmacro %}
