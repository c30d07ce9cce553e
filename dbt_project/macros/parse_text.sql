{#
    Raw columns are text exactly as exported. These turn them into typed values; an empty string is NULL.
    Casts are safe casts: the audit quarantines unparseable values before raw, and the not_null tests on
    required columns catch anything that still slips through, instead of one bad cell failing the build.
#}

{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'salesmetrics')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{#- dbt.safe_cast is a plain cast on DuckDB; DuckDB's own try_cast is the safe one. -#}
{% macro duckdb__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro text_or_null(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{% macro parse_date(column) -%}
    cast({{ try_cast(text_or_null(column), dbt.type_timestamp()) }} as date)
{%- endmacro %}

{% macro parse_timestamp(column) -%}
    {#- ISO datetimes with a trailing Z are UTC: kept as naive UTC timestamps. -#}
    {{ try_cast(text_or_null(column), dbt.type_timestamp()) }}
{%- endmacro %}

{% macro parse_decimal(column, precision=18, scale=2) -%}
    {{ try_cast(text_or_null(column), 'decimal(' ~ precision ~ ', ' ~ scale ~ ')') }}
{%- endmacro %}

{% macro parse_integer(column) -%}
    {{ try_cast(text_or_null(column), dbt.type_bigint()) }}
{%- endmacro %}

{% macro parse_boolean(column) -%}
    case
        when lower(trim({{ column }})) in ('true', 't', '1', 'yes', 'y') then true
        when lower(trim({{ column }})) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}
