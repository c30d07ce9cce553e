with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__opportunity_history'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as history_id,
        {{ text_or_null(adapter.quote('OpportunityId')) }} as opportunity_id,
        {{ text_or_null(adapter.quote('StageName')) }} as stage,
        {{ parse_money(adapter.quote('Amount')) }} as amount,
        {{ probability_fraction(
            parse_decimal(adapter.quote('Probability'), 9, 4), source('salesforce', 'salesforce__opportunity_history')
        ) }} as probability,
        {{ parse_date(adapter.quote('CloseDate')) }} as close_date,
        {{ text_or_null(adapter.quote('ForecastCategory')) }} as forecast_category,
        {{ text_or_null(adapter.quote('CreatedById')) }} as created_by_id,
        {{ parse_timestamp(adapter.quote('CreatedDate')) }} as entered_at,
        {{ parse_date(adapter.quote('CreatedDate')) }} as entered_date,
        _source_file,
        _source_line
    from source
)

select * from renamed
