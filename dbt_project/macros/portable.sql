{#
    Where DuckDB and Spark SQL differ and dbt's cross-database macros (dbt.date_trunc, dbt.dateadd, dbt.safe_cast,
    dbt.type_*, ...) have no portable form, a macro here dispatches to a duckdb__ and a spark__ implementation.
    Models call these, never `target.type` (README "Spark").
#}

{#
    The raw layer on Spark: ingest and audit run on DuckDB; the pipeline exports what the audit accepted as Parquet,
    one folder per table (SALES_SPARK_DIR/<schema>/<table>, pipelines/lib/transform/spark_export.py). Each source
    table becomes an external Parquet table over its folder at the start of every run (dropping an external table
    leaves its files), and so do the two quarantine tables int_opportunities_deleted reads. On DuckDB the sources
    are the warehouse's own tables: nothing to do.
#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources', 'salesmetrics')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
    select 1
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {%- if execute -%}
        {%- set tables = [] -%}
        {%- for node in graph.sources.values() -%}
            {%- do tables.append((node.schema, node.identifier)) -%}
        {%- endfor -%}
        {%- do tables.extend([('quarantine', 'salesforce__opportunity'), ('quarantine', 'canonical__opportunities')]) -%}
        {%- for schema in tables | map(attribute=0) | unique -%}
            {%- do run_query('create database if not exists ' ~ schema) -%}
        {%- endfor -%}
        {%- for schema, table in tables | sort -%}
            {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ table) -%}
            {%- do run_query(
                'create table ' ~ schema ~ '.' ~ table ~ " using parquet location '"
                ~ env_var('SALES_SPARK_DIR') ~ '/' ~ schema ~ '/' ~ table ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#
    Exact integer arithmetic on money in millionths (macros/math.sql, int_campaign_spend_daily): DuckDB has a 128-bit
    integer (HUGEINT) and `//`; Spark has neither, its widest exact integer is DECIMAL(38, 0) and its integer
    division is `div`, which returns a BIGINT: the quotients there are amounts in millionths, exact up to 9.2
    trillion units of a currency per value.
#}
{% macro wide_integer_type() -%}
    {{ return(adapter.dispatch('wide_integer_type', 'salesmetrics')()) }}
{%- endmacro %}

{% macro default__wide_integer_type() -%}
    hugeint
{%- endmacro %}

{% macro spark__wide_integer_type() -%}
    decimal(38, 0)
{%- endmacro %}

{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'salesmetrics')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__integer_divide(numerator, denominator) -%}
    cast(({{ numerator }}) div ({{ denominator }}) as decimal(38, 0))
{%- endmacro %}

{#- ISO day of the week, 1 = Monday .. 7 = Sunday (dim_dates): DuckDB's extract(isodow ...), Spark's dayofweek_iso. -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'salesmetrics')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    extract(dayofweek_iso from {{ date_expression }})
{%- endmacro %}

{#- A text value out of a JSON document (the quarantined record, int_opportunities_deleted): DuckDB's
    json_extract_string, Spark's get_json_object. -#}
{% macro json_text(json_expression, path) -%}
    {{ return(adapter.dispatch('json_text', 'salesmetrics')(json_expression, path)) }}
{%- endmacro %}

{% macro default__json_text(json_expression, path) -%}
    json_extract_string({{ json_expression }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_text(json_expression, path) -%}
    get_json_object({{ json_expression }}, '{{ path }}')
{%- endmacro %}

{#
    A DECIMAL divided the way DuckDB divides it: as DOUBLE (prorated_quotas and int_fixed_costs_prorated: amount x
    days / the amount's days, summed, then cast once to DECIMAL(38,6)). Spark divides DECIMALs exactly but rounds
    each quotient to 6 decimals before the sum, a millionth off DuckDB's result on some periods; dividing in DOUBLE
    there too gives DuckDB's sums.
#}
{% macro divide_as_double(numerator, denominator) -%}
    {{ return(adapter.dispatch('divide_as_double', 'salesmetrics')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__divide_as_double(numerator, denominator) -%}
    {{ numerator }} / {{ denominator }}
{%- endmacro %}

{% macro spark__divide_as_double(numerator, denominator) -%}
    cast({{ numerator }} as double) / {{ denominator }}
{%- endmacro %}

{#
    dbt.generate_series on Spark (int_periods_spined, int_campaign_spend_daily, the time spine): dbt's default
    cross-joins 16 powers of two, a plan Spark takes 15-20 s to run; Spark has the series built in. Same column
    (generated_number) and rows (1..upper_bound). dbt's dispatch takes this root-project macro for Spark.
#}
{% macro spark__generate_series(upper_bound) -%}
    select explode(sequence(1, {{ upper_bound }})) as generated_number
{%- endmacro %}

{#
    A KPI (DECIMAL money or a DOUBLE rate) as DECIMAL(38,6), the scorecard's one type (macros/scorecard.sql). DuckDB
    casts a DOUBLE to DECIMAL by scaling it in DOUBLE and rounding; Spark rounds the DOUBLE's exact binary value, so
    a rate whose 7th decimal is a near-tie (0.1817825 held as 0.18178249999...) came out a millionth apart. On Spark
    the value is scaled in DOUBLE and rounded the same way; DECIMALs are scaled exactly.
#}
{% macro to_decimal_38_6(expression) -%}
    {{ return(adapter.dispatch('to_decimal_38_6', 'salesmetrics')(expression)) }}
{%- endmacro %}

{% macro default__to_decimal_38_6(expression) -%}
    cast({{ expression }} as decimal(38, 6))
{%- endmacro %}

{% macro spark__to_decimal_38_6(expression) -%}
    cast(cast(round({{ expression }} * 1000000) as decimal(38, 0)) * cast(0.000001 as decimal(7, 6)) as decimal(38, 6))
{%- endmacro %}
