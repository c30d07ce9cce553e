{#
    Every period mart has one row per grain x period. Weeks are ISO weeks (Monday start): DuckDB's and
    Postgres's date_trunc('week') already start on Monday; on Snowflake set WEEK_START = 1.
#}

{% macro period_grains() -%}
    {{ return(['day', 'week', 'month', 'quarter', 'year']) }}
{%- endmacro %}

{#
    Quarters and years follow the fiscal year (var fiscal_year_start_month, 1 = calendar year): with April
    (4), the fiscal year 2026 runs 2026-04-01 .. 2027-03-31 and its first quarter is April..June. The date is
    shifted back by the offset, truncated, and shifted forward again.
#}
{% macro period_start(grain, date_column) -%}
    {%- set offset = (var('fiscal_year_start_month', 1) | int) - 1 -%}
    {%- if grain == 'day' -%}
        cast({{ date_column }} as date)
    {%- elif grain in ('quarter', 'year') and offset > 0 -%}
        cast({{ dbt.dateadd('month', offset, dbt.date_trunc(grain, dbt.dateadd('month', -offset, date_column))) }} as date)
    {%- else -%}
        cast({{ dbt.date_trunc(grain, date_column) }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro period_end(grain, period_start_column) -%}
    {%- set offset = (var('fiscal_year_start_month', 1) | int) - 1 -%}
    {%- if grain == 'day' -%}
        cast({{ period_start_column }} as date)
    {%- elif grain in ('quarter', 'year') and offset > 0 -%}
        {%- set months = 3 if grain == 'quarter' else 12 -%}
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', months, period_start_column)) }} as date)
    {%- else -%}
        cast({{ dbt.last_day(period_start_column, grain) }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro add_days(days, date_column) -%}
    cast({{ dbt.dateadd('day', days, date_column) }} as date)
{%- endmacro %}

{#
    The same rows once per grain, each with the period_start its date falls in, so one `group by grain,
    period_start` aggregates all five grains. Cheaper than joining rows to a period table on a date range.
#}
{% macro rows_per_grain(relation, date_column) -%}
    {%- for grain in period_grains() %}
    select
        '{{ grain }}' as grain,
        {{ period_start(grain, date_column) }} as period_start,
        {{ relation }}.*
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#
    The same period one year earlier, for a row's grain: the same calendar date for days, months, quarters and
    years (29 February looks back to 28 February), and 52 weeks earlier for ISO weeks (a calendar year back
    is not a Monday).
#}
{% macro same_period_last_year(grain_column, period_start_column) -%}
    case
        when {{ grain_column }} = 'week' then {{ add_days(-364, period_start_column) }}
        else cast({{ dbt.dateadd('year', -1, period_start_column) }} as date)
    end
{%- endmacro %}

{#- The start of the period of a grain held in a column (rather than known when the SQL is written). #}
{% macro period_start_of(grain_column, date_column) -%}
    case {{ grain_column }}
        {%- for grain in period_grains() %}
        when '{{ grain }}' then {{ period_start(grain, date_column) }}
        {%- endfor %}
    end
{%- endmacro %}

{#
    Whole days from start to end (end - start, negative when end is earlier), calendar days as dbt.datediff(...,
    'day') counts them. dbt-duckdb's datediff casts both sides to TIMESTAMP and calls date_diff('day', ...) on every
    row; DuckDB subtracts two DATEs directly into the same BIGINT (a timestamp's time of day is dropped by the
    cast, as datediff ignores it). Other engines keep dbt.datediff.
#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'salesmetrics')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}

{% macro duckdb__days_between(start_date, end_date) -%}
    (cast({{ end_date }} as date) - cast({{ start_date }} as date))
{%- endmacro %}
