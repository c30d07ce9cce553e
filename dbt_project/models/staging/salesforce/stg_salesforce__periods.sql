with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__period'), ['"Id"']) }}
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as period_id,
        lower({{ text_or_null('"Type"') }}) as period_type,
        {{ parse_date('"StartDate"') }} as start_date,
        {{ parse_date('"EndDate"') }} as end_date,
        {{ parse_integer('"Number"') }} as period_number,
        {{ text_or_null('"FiscalYearSettingsId"') }} as fiscal_year_settings_id,
        _source_file,
        _source_line
    from source
)

select * from renamed
