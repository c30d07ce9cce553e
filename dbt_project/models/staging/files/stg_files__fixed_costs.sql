{#
    fixed_costs.csv has no id column: a cost is identified by its period (the dates' values: 2026-04-01T00:00:00
    is 2026-04-01), and the latest export of that period wins. Two lines of one file for the same period are
    quarantined by the audit (period_start__unique_per_period_end); overlapping periods add up.
#}
with

source as (
    {{ latest_export_rows(source('files', 'files__fixed_costs'), [parse_date('period_start'), parse_date('period_end')]) }}
),

renamed as (
    select
        {{ parse_date('period_start') }} as period_start,
        {{ parse_date('period_end') }} as period_end,
        {{ parse_money('fixed_cost') }} as fixed_cost,
        {{ text_or_null('description') }} as description,
        _source_file,
        _source_line
    from source
)

select * from renamed
