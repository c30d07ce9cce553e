with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__forecasting_quota'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as quota_id,
        {{ text_or_null(adapter.quote('QuotaOwnerId')) }} as rep_id,
        {{ text_or_null(adapter.quote('PeriodId')) }} as period_id,
        {{ parse_date(adapter.quote('StartDate')) }} as start_date,
        {{ parse_money(adapter.quote('QuotaAmount')) }} as quota_amount,
        {{ text_or_null(adapter.quote('CurrencyIsoCode')) }} as currency_iso_code,
        {{ text_or_null(adapter.quote('ForecastingTypeId')) }} as forecasting_type_id,
        _source_file,
        _source_line
    from source
)

select * from renamed
