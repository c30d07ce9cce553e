{#
    targets.csv has no id column: a target is identified by what it targets (kpi, scope, scope_id, grain,
    period_start), and the latest export of that key wins like any other record. The key compares values, not
    text: 2026-7-1 is 2026-07-01, and a company target's scope_id is ignored (the company is one scope). Two
    lines of one file with the same key are quarantined by the audit (kpi__unique_per_..._period_start).
#}
{%- set company_scope_id = "case when lower(trim(scope)) = 'company' then '' else coalesce(trim(scope_id), '') end" %}
with

source as (
    {{ latest_export_rows(
        source('files', 'files__targets'),
        ['lower(trim(kpi))', 'lower(trim(scope))', company_scope_id, 'lower(trim(grain))', parse_date('period_start')]
    ) }}
),

renamed as (
    select
        lower({{ text_or_null('kpi') }}) as kpi,
        lower({{ text_or_null('scope') }}) as scope,
        case when lower(trim(scope)) <> 'company' then {{ text_or_null('scope_id') }} end as scope_id,
        lower({{ text_or_null('grain') }}) as grain,
        {{ parse_date('period_start') }} as period_start,
        {{ parse_decimal('target_value', 20, 6) }} as target_value,
        {{ parse_decimal('growth_rate', 12, 6) }} as growth_rate,
        _source_file,
        _source_line
    from source
)

select * from renamed
