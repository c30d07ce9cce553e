{#
    Rates are fractions, NULL when the denominator is 0 (or NULL).
#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif({{ denominator }}, 0))
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
    done in integers: the numerator in millionths (a HUGEINT; DECIMAL(38, 0) on Spark, macros/portable.sql) over
    the count. NULL when the count is 0.
    The denominator must be a whole number.
#}
{% macro divide_money(numerator, denominator) -%}
    case
        when {{ denominator }} <> 0 then {{ money(
            'cast(sign(' ~ numerator ~ ') * sign(' ~ denominator ~ ') * ('
            ~ integer_divide(
                '2 * abs(cast(' ~ money(numerator) ~ ' * 1000000 as ' ~ wide_integer_type() ~ ')) + abs(cast('
                ~ denominator ~ ' as ' ~ wide_integer_type() ~ '))',
                '2 * abs(cast(' ~ denominator ~ ' as ' ~ wide_integer_type() ~ '))'
            )
            ~ ') as decimal(38, 0)) * cast(0.000001 as decimal(7, 6))'
        ) }}
    end
{%- endmacro %}

{#
    Money in one currency converted to another: amount x to_rate / from_rate, both rates in units per one unit
    of the same base currency. The exact quotient rounded once to the 6th decimal, half away from zero, as
    DECIMAL(38,6): DuckDB divides decimals as doubles, so the division is done in integers (the amount in
    millionths times the rate in billionths, over the other rate in billionths, HUGEINTs). Rates must be
    positive (int_currency_rates keeps only those); NULL when the amount is.
#}
{% macro convert_money(amount, from_rate, to_rate) -%}
    {%- set millionths = 'abs(cast(' ~ money(amount) ~ ' * 1000000 as ' ~ wide_integer_type() ~ '))' -%}
    {%- set to_units = 'cast(cast(' ~ to_rate ~ ' as decimal(38, 9)) * 1000000000 as ' ~ wide_integer_type() ~ ')' -%}
    {%- set from_units = 'cast(cast(' ~ from_rate ~ ' as decimal(38, 9)) * 1000000000 as ' ~ wide_integer_type() ~ ')' -%}
    {{ money(
        'cast(sign(' ~ amount ~ ') * '
        ~ integer_divide('2 * ' ~ millionths ~ ' * ' ~ to_units ~ ' + ' ~ from_units, '2 * ' ~ from_units)
        ~ ' as decimal(38, 0)) * cast(0.000001 as decimal(7, 6))'
    ) }}
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
