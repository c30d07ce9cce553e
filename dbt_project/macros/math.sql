{#
    Rates are fractions, NULL when the denominator is 0 (or NULL).
#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#
    Money divided by a count stays money: rounded to the cent as DECIMAL(18,2). (DuckDB divides decimals as
    doubles; a double holds any amount below 10^13 to the cent, so the rounding is exact in practice.)
#}
{% macro divide_money(numerator, denominator) -%}
    cast(round({{ safe_divide(numerator, denominator) }}, 2) as decimal(18, 2))
{%- endmacro %}

{% macro money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}

{#
    median() is not portable: DuckDB, Snowflake and BigQuery-style engines have it, Postgres only has the
    ordered-set form.
#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'salesmetrics')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'salesmetrics')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}
