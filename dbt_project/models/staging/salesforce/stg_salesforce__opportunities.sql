{#
    Status: IsWon / IsClosed decide; where they are blank (some exports leave formula fields out), the
    trimmed, lower-cased stage name does ('closed won' / 'won' -> won, 'closed lost' / 'lost' -> lost).
    A staging model does nothing but rename and cast; this case expression is the cast of three text
    fields into the one canonical enum, kept here so every consumer sees the same status.

    Probability becomes a 0..1 fraction whatever the export's scale (macros/probability_fraction.sql).
#}
{{ config(materialized=incremental_unless_spark(), unique_key='opportunity_id') }}
{%- set raw_table = source('salesforce', 'salesforce__opportunity') %}
{%- set raw_probability = parse_decimal(adapter.quote('Probability'), 9, 4) %}

with

source as (
    {{ latest_export_rows(
        raw_table, [adapter.quote('Id')],
        rebuild_all_when=probability_scale_changed(raw_probability, raw_table)
    ) }}
),

typed as (
    select
        *,
        lower(trim({{ adapter.quote('StageName') }})) as stage_key,
        {{ parse_boolean(adapter.quote('IsWon')) }} as is_won_flag,
        {{ parse_boolean(adapter.quote('IsClosed')) }} as is_closed_flag
    from source
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as opportunity_id,
        {{ text_or_null(adapter.quote('AccountId')) }} as account_id,
        {{ text_or_null(adapter.quote('OwnerId')) }} as owner_id,
        nullif({{ adapter.quote('Name') }}, '') as opportunity_name,
        {{ text_or_null(adapter.quote('StageName')) }} as stage,
        case
            when is_won_flag then 'won'
            when is_closed_flag = false then 'open'
            when is_closed_flag and is_won_flag = false then 'lost'
            when is_won_flag is null and stage_key like '%won%' then 'won'
            when stage_key like '%lost%' then 'lost'
            when is_closed_flag then 'lost'
            else 'open'
        end as status,
        {{ parse_money(adapter.quote('Amount')) }} as amount,
        {{ probability_fraction(raw_probability, raw_table) }} as probability,
        {{ parse_date(adapter.quote('CloseDate')) }} as close_date,
        {{ parse_timestamp(adapter.quote('CreatedDate')) }} as created_at,
        {{ parse_date(adapter.quote('CreatedDate')) }} as created_date,
        is_closed_flag as is_closed,
        is_won_flag as is_won,
        {{ text_or_null(adapter.quote('LeadSource')) }} as lead_source,
        {{ text_or_null(adapter.quote('Type')) }} as type,
        {{ text_or_null(adapter.quote('CampaignId')) }} as campaign_id,
        {{ text_or_null(adapter.quote('ForecastCategoryName')) }} as forecast_category,
        {{ text_or_null(adapter.quote('CurrencyIsoCode')) }} as currency_iso_code,
        {{ parse_date(adapter.quote('LastStageChangeDate')) }} as last_stage_change_date,
        {#- A Salesforce deal has no region of its own: the canonical model resolves it from account and owner. #}
        cast(null as {{ dbt.type_string() }}) as region,
        {#- queryAll / Data Loader exports carry deleted deals (true); the Data Export has no such rows (blank). #}
        coalesce({{ parse_boolean(adapter.quote('IsDeleted')) }}, false) as is_deleted,
        _source_file,
        _source_line,
        _loaded_at
    from typed
)

select * from renamed
