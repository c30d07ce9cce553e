{#
    Conversion rates from a mapped rates file: units of the currency per one unit of a base currency (as
    Salesforce's ConversionRate), valid from start_date on; a rate without a start date is the currency's static
    rate. One row per currency and start date (the latest export's).
#}
with

source as (
    {{ latest_export_rows(source('canonical', 'canonical__currency_rates'), ['upper(trim(currency))', 'start_date']) }}
),

renamed as (
    select
        upper({{ text_or_null('currency') }}) as currency,
        {{ parse_decimal('rate', 18, 9) }} as rate,
        {{ parse_date('start_date') }} as start_date,
        _source_name,
        _source_file,
        _source_line
    from source
)

select * from renamed
