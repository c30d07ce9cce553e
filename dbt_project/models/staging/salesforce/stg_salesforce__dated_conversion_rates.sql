{#
    Dated conversion rates (DatedConversionRate, advanced currency management): each rate is valid from its
    StartDate up to the day before NextStartDate, in units of the currency per one unit of the corporate
    currency. Empty for orgs that export none.
#}
with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__dated_conversion_rate'), ['"Id"']) }}
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as dated_rate_id,
        upper({{ text_or_null('"IsoCode"') }}) as iso_code,
        {{ parse_decimal('"ConversionRate"', 18, 9) }} as conversion_rate,
        {{ parse_date('"StartDate"') }} as start_date,
        {{ parse_date('"NextStartDate"') }} as next_start_date,
        _source_file,
        _source_line
    from source
)

select * from renamed
