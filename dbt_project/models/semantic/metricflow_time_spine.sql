{#
    MetricFlow's time spine: one row per day from 2000 to 2040, the days `metric_time` can take (far more
    than any export holds). MetricFlow joins to it for cumulative and offset metrics and fills periods.
#}
with

days as (
    {{ dbt.date_spine('day', "cast('2000-01-01' as date)", "cast('2041-01-01' as date)") }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
