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
    cast({{ parse_timestamp(column) }} as date)
{%- endmacro %}

{% macro parse_timestamp(column) -%}
    {#- ISO datetimes with a zone (a trailing Z or +hh:mm) are instants: with var timezone = 'UTC' (the default)
        they are kept as naive UTC timestamps; with another zone they are converted to its wall-clock time first,
        so a deal closed at 23:30 New York time is booked on that New York day. Values without a zone are
        taken as they are. -#}
    {%- if var('timezone', 'UTC') | upper == 'UTC' -%}
        {{ try_cast(text_or_null(column), dbt.type_timestamp()) }}
    {%- else -%}
        {{ adapter.dispatch('timestamp_in_zone')(text_or_null(column), var('timezone')) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__timestamp_in_zone(text, zone) -%}
    {{ try_cast(text, dbt.type_timestamp()) }}
{%- endmacro %}

{#- Spark: the session's zone is UTC (profiles.yml), so an instant casts to its UTC wall-clock time and
    from_utc_timestamp moves it to the zone's. -#}
{% macro spark__timestamp_in_zone(text, zone) -%}
    case
        when {{ text }} rlike '(Z|[+-][0-9]{2}:?[0-9]{2})$'
            then from_utc_timestamp({{ try_cast(text, dbt.type_timestamp()) }}, '{{ zone }}')
        else {{ try_cast(text, dbt.type_timestamp()) }}
    end
{%- endmacro %}

{% macro duckdb__timestamp_in_zone(text, zone) -%}
    case
        when regexp_matches({{ text }}, '(Z|[+-][0-9]{2}:?[0-9]{2})$')
            then timezone('{{ zone }}', try_cast({{ text }} as timestamptz))
        else try_cast({{ text }} as timestamp)
    end
{%- endmacro %}

{#- A wide decimal (precision above 18, stored in 128 bits) is first parsed as an 18-digit one and widened: on
    DuckDB text parses into a 128-bit decimal about 100 times slower (minutes per million values), and the result
    is the same value (rounded to the same scale), the wide parse taking only values of more than 18 digits. -#}
{% macro parse_decimal(column, precision=18, scale=2) -%}
    {%- set wide = 'decimal(' ~ precision ~ ', ' ~ scale ~ ')' -%}
    {%- if precision > 18 and scale <= 18 -%}
        coalesce(
            cast({{ try_cast(text_or_null(column), 'decimal(18, ' ~ scale ~ ')') }} as {{ wide }}),
            {{ try_cast(text_or_null(column), wide) }}
        )
    {%- else -%}
        {{ try_cast(text_or_null(column), wide) }}
    {%- endif -%}
{%- endmacro %}

{#- Money: DECIMAL(38,6) everywhere, as num() of the mapped exports reads it; never rounded to the cent here. -#}
{% macro parse_money(column) -%}
    {{ parse_decimal(column, 38, 6) }}
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
