{#
    The currencies of a multi-currency org (CurrencyType): a static rate per currency, in units of the currency
    per one unit of the corporate currency (IsCorporate, rate 1). Single-currency orgs export no such file:
    the model is then empty. Codes are trimmed and upper-cased, as deals' CurrencyIsoCode is compared.
#}
with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__currency_type'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as currency_type_id,
        upper({{ text_or_null(adapter.quote('IsoCode')) }}) as iso_code,
        {{ parse_decimal(adapter.quote('ConversionRate'), 18, 9) }} as conversion_rate,
        {{ parse_integer(adapter.quote('DecimalPlaces')) }} as decimal_places,
        {{ parse_boolean(adapter.quote('IsActive')) }} as is_active,
        coalesce({{ parse_boolean(adapter.quote('IsCorporate')) }}, false) as is_corporate,
        _source_file,
        _source_line
    from source
)

select * from renamed
