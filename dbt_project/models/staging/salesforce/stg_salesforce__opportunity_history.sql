with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__opportunity_history'), ['"Id"']) }}
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as history_id,
        {{ text_or_null('"OpportunityId"') }} as opportunity_id,
        {{ text_or_null('"StageName"') }} as stage,
        {{ parse_money('"Amount"') }} as amount,
        {{ probability_fraction(
            parse_decimal('"Probability"', 9, 4), source('salesforce', 'salesforce__opportunity_history')
        ) }} as probability,
        {{ parse_date('"CloseDate"') }} as close_date,
        {{ text_or_null('"ForecastCategory"') }} as forecast_category,
        {{ text_or_null('"CreatedById"') }} as created_by_id,
        {{ parse_timestamp('"CreatedDate"') }} as entered_at,
        {{ parse_date('"CreatedDate"') }} as entered_date,
        _source_file,
        _source_line
    from source
)

select * from renamed
