{#
    Dated conversion rates (DatedConversionRate, advanced currency management): each rate is valid from its
    StartDate up to the day before NextStartDate, in units of the currency per one unit of the corporate
    currency. Empty for orgs that export none.
#}
with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__dated_conversion_rate'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as dated_rate_id,
        upper({{ text_or_null(adapter.quote('IsoCode')) }}) as iso_code,
        {{ parse_decimal(adapter.quote('ConversionRate'), 18, 9) }} as conversion_rate,
        {{ parse_date(adapter.quote('StartDate')) }} as start_date,
        {{ parse_date(adapter.quote('NextStartDate')) }} as next_start_date,
        _source_file,
        _source_line
    from source
)

select * from renamed
