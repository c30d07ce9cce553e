{{ config(materialized=incremental_unless_spark(), unique_key='history_id') }}
{%- set raw_table = source('salesforce', 'salesforce__opportunity_history') %}
{%- set raw_probability = parse_decimal(adapter.quote('Probability'), 9, 4) %}

with

source as (
    {{ latest_export_rows(
        raw_table, [adapter.quote('Id')],
        rebuild_all_when=probability_scale_changed(raw_probability, raw_table)
    ) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as history_id,
        {{ text_or_null(adapter.quote('OpportunityId')) }} as opportunity_id,
        {{ text_or_null(adapter.quote('StageName')) }} as stage,
        {{ parse_money(adapter.quote('Amount')) }} as amount,
        {{ probability_fraction(raw_probability, raw_table) }} as probability,
        {{ parse_date(adapter.quote('CloseDate')) }} as close_date,
        {{ text_or_null(adapter.quote('ForecastCategory')) }} as forecast_category,
        {{ text_or_null(adapter.quote('CreatedById')) }} as created_by_id,
        {{ parse_timestamp(adapter.quote('CreatedDate')) }} as entered_at,
        {{ parse_date(adapter.quote('CreatedDate')) }} as entered_date,
        _source_file,
        _source_line,
        _loaded_at
    from source
)

select * from renamed
