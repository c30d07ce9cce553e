{#
    benchmarks.csv has no id column: a benchmark is identified by its kpi and grain (empty = every grain),
    and the latest export of that key wins.
#}
with

source as (
    {{ latest_export_rows(source('files', 'files__benchmarks'), ['lower(trim(kpi))', "coalesce(lower(trim(grain)), '')"]) }}
),

renamed as (
    select
        lower({{ text_or_null('kpi') }}) as kpi,
        lower({{ text_or_null('grain') }}) as grain,
        {{ parse_decimal('benchmark_value', 20, 6) }} as benchmark_value,
        {{ text_or_null('benchmark_label') }} as benchmark_label,
        _source_file,
        _source_line
    from source
)

select * from renamed
