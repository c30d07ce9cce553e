with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__period'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as period_id,
        lower({{ text_or_null(adapter.quote('Type')) }}) as period_type,
        {{ parse_date(adapter.quote('StartDate')) }} as start_date,
        {{ parse_date(adapter.quote('EndDate')) }} as end_date,
        {{ parse_integer(adapter.quote('Number')) }} as period_number,
        {{ text_or_null(adapter.quote('FiscalYearSettingsId')) }} as fiscal_year_settings_id,
        _source_file,
        _source_line
    from source
)

select * from renamed
