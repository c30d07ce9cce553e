{#
    fixed_costs.csv has no id column: a cost is identified by its period, and the latest export of that
    period wins.
#}
with

source as (
    {{ latest_export_rows(source('files', 'files__fixed_costs'), ['trim(period_start)', 'trim(period_end)']) }}
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
