{#
    targets.csv has no id column: a target is identified by what it targets (kpi, scope, scope_id, grain,
    period_start), and the latest export of that key wins like any other record.
#}
with

source as (
    {{ latest_export_rows(
        source('files', 'files__targets'),
        ['lower(trim(kpi))', 'lower(trim(scope))', "coalesce(trim(scope_id), '')", 'lower(trim(grain))',
         'trim(period_start)']
    ) }}
),

renamed as (
    select
        lower({{ text_or_null('kpi') }}) as kpi,
        lower({{ text_or_null('scope') }}) as scope,
        {{ text_or_null('scope_id') }} as scope_id,
        lower({{ text_or_null('grain') }}) as grain,
        {{ parse_date('period_start') }} as period_start,
        {{ parse_decimal('target_value', 20, 6) }} as target_value,
        {{ parse_decimal('growth_rate', 12, 6) }} as growth_rate,
        _source_file,
        _source_line
    from source
)

select * from renamed
