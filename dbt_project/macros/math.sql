{#
    Rates are fractions, NULL when the denominator is 0 (or NULL).
#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#
    Money is DECIMAL(38,6) from the exports to the marts, exact, never rounded to the cent in the warehouse:
    sums of any rows, and sums of those sums, are exact. Rounding to the cent happens only where people read
    (the run summary, the dashboard page, the workbook's number formats), half away from zero.
#}
{% macro money(expression) -%}
    cast({{ expression }} as decimal(38, 6))
{%- endmacro %}

{#
    Money divided by a count (deals, customers) stays money: the exact quotient rounded once to the 6th
    decimal, half away from zero, as DECIMAL(38,6). DuckDB divides decimals as doubles, so the division is
    done in integers: the numerator in millionths (a HUGEINT) over the count. NULL when the count is 0.
    The denominator must be a whole number.
#}
{% macro divide_money(numerator, denominator) -%}
    case
        when {{ denominator }} <> 0 then {{ money(
            'cast(sign(' ~ numerator ~ ') * sign(' ~ denominator ~ ') * ('
            ~ '(2 * abs(cast(' ~ money(numerator) ~ ' * 1000000 as hugeint)) + abs(cast(' ~ denominator ~ ' as hugeint)))'
            ~ ' // (2 * abs(cast(' ~ denominator ~ ' as hugeint)))) as decimal(38, 0)) * cast(0.000001 as decimal(7, 6))'
        ) }}
    end
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
