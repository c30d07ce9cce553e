{#
    Status: IsWon / IsClosed decide; where they are blank (some exports leave formula fields out), the
    trimmed, lower-cased stage name does ('closed won' / 'won' -> won, 'closed lost' / 'lost' -> lost).
    A staging model does nothing but rename and cast; this case expression is the cast of three text
    fields into the one canonical enum, kept here so every consumer sees the same status.

    Probability becomes a 0..1 fraction whatever the export's scale (macros/probability_fraction.sql).
#}
with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__opportunity'), ['"Id"']) }}
),

typed as (
    select
        *,
        lower(trim("StageName")) as stage_key,
        {{ parse_boolean('"IsWon"') }} as is_won_flag,
        {{ parse_boolean('"IsClosed"') }} as is_closed_flag
    from source
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as opportunity_id,
        {{ text_or_null('"AccountId"') }} as account_id,
        {{ text_or_null('"OwnerId"') }} as owner_id,
        nullif("Name", '') as opportunity_name,
        {{ text_or_null('"StageName"') }} as stage,
        case
            when is_won_flag then 'won'
            when is_closed_flag = false then 'open'
            when is_closed_flag and is_won_flag = false then 'lost'
            when is_won_flag is null and stage_key like '%won%' then 'won'
            when stage_key like '%lost%' then 'lost'
            when is_closed_flag then 'lost'
            else 'open'
        end as status,
        {{ parse_money('"Amount"') }} as amount,
        {{ probability_fraction(
            parse_decimal('"Probability"', 9, 4), source('salesforce', 'salesforce__opportunity')
        ) }} as probability,
        {{ parse_date('"CloseDate"') }} as close_date,
        {{ parse_timestamp('"CreatedDate"') }} as created_at,
        {{ parse_date('"CreatedDate"') }} as created_date,
        is_closed_flag as is_closed,
        is_won_flag as is_won,
        {{ text_or_null('"LeadSource"') }} as lead_source,
        {{ text_or_null('"Type"') }} as type,
        {{ text_or_null('"CampaignId"') }} as campaign_id,
        {{ text_or_null('"ForecastCategoryName"') }} as forecast_category,
        {{ text_or_null('"CurrencyIsoCode"') }} as currency_iso_code,
        {{ parse_date('"LastStageChangeDate"') }} as last_stage_change_date,
        {#- A Salesforce deal has no region of its own: the canonical model resolves it from account and owner. #}
        cast(null as {{ dbt.type_string() }}) as region,
        {#- queryAll / Data Loader exports carry deleted deals (true); the Data Export has no such rows (blank). #}
        coalesce({{ parse_boolean('"IsDeleted"') }}, false) as is_deleted,
        _source_file,
        _source_line,
        _loaded_at
    from typed
)

select * from renamed
