with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__forecasting_quota'), ['"Id"']) }}
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as quota_id,
        {{ text_or_null('"QuotaOwnerId"') }} as rep_id,
        {{ text_or_null('"PeriodId"') }} as period_id,
        {{ parse_date('"StartDate"') }} as start_date,
        {{ parse_money('"QuotaAmount"') }} as quota_amount,
        {{ text_or_null('"CurrencyIsoCode"') }} as currency_iso_code,
        {{ text_or_null('"ForecastingTypeId"') }} as forecasting_type_id,
        _source_file,
        _source_line
    from source
)

select * from renamed
