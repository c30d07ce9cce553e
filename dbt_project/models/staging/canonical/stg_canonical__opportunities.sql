{#
    Amounts are DECIMAL(38,6), as num() reads them: exact, never rounded to the cent in the warehouse.
    Probability becomes a 0..1 fraction whatever the source's scale (macros/probability_fraction.sql).
#}
{{ config(materialized=incremental_unless_spark(), unique_key='opportunity_id') }}
{%- set raw_table = source('canonical', 'canonical__opportunities') %}
{%- set raw_probability = parse_decimal('probability', 9, 4) %}

with

source as (
    {{ latest_export_rows(
        raw_table, ['opportunity_id'],
        rebuild_all_when=probability_scale_changed(raw_probability, raw_table)
    ) }}
),

renamed as (
    select
        {{ text_or_null('opportunity_id') }} as opportunity_id,
        {{ text_or_null('account_id') }} as account_id,
        {{ text_or_null('owner_id') }} as owner_id,
        {{ parse_date('created_date') }} as created_date,
        {{ parse_date('close_date') }} as close_date,
        {{ text_or_null('stage') }} as stage,
        lower({{ text_or_null('status') }}) as status,
        {{ parse_money('amount') }} as amount,
        {{ probability_fraction(raw_probability, raw_table) }} as probability,
        {{ text_or_null('lead_source') }} as lead_source,
        {{ text_or_null('type') }} as type,
        {{ text_or_null('campaign_id') }} as campaign_id,
        {{ text_or_null('region') }} as region,
        upper({{ text_or_null('currency') }}) as currency,
        _source_name,
        _source_file,
        _source_line,
        _loaded_at
    from source
)

select * from renamed
