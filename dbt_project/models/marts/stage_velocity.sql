{#
    How deals move through the stages, by the period they entered the stage. One row per grain x period x
    stage, every period of the calendar for every stage (zeros, not missing rows), plus grain 'all': the
    whole history in one row per stage (period_start / period_end span the data; entries dated after the
    data's last date, e.g. a stage change seen only in a later export, count in 'all' only).

    Entries, days in stage and conversions come from int_stage_entries_measured (the 'unknown' stage is left
    out), the stages and their positions from int_stage_orders. A deal still in the stage (or in a closing stage, which has no next one) has no duration yet: it
    counts in opportunities_entered and in the conversion denominator, not in the day averages.
    conversion_to_next_stage: of the deals that entered the stage, the share that later entered a later
    stage that is not a lost stage, or were won.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

entries_measured as (
    select * from {{ ref('int_stage_entries_measured') }}
),

entries_by_period as (
    {{ rows_per_grain('entries_measured', 'entered_date') }}
    union all
    {#- The whole history once more, as grain 'all' (its period is the data's span, joined below). #}
    select
        'all' as grain,
        cast(null as date) as period_start,
        entries_measured.*
    from entries_measured
),

measured as (
    select
        grain,
        period_start,
        stage,
        count(*) as opportunities_entered,
        count(days_in_stage) as opportunities_exited,
        avg(days_in_stage) as avg_days_in_stage,
        {{ median('days_in_stage') }} as median_days_in_stage,
        sum(converted) as opportunities_converted
    from entries_by_period
    group by grain, period_start, stage
),

stages as (
    select
        stage,
        stage_position
    from {{ ref('int_stage_orders') }}
),

period_stages as (
    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        stages.stage
    from periods
    cross join stages
),

data_span as (
    select
        min(period_start) as period_start,
        max(period_end) as period_end
    from periods
    where grain = 'day'
),

joined as (
    select
        period_stages.grain,
        period_stages.period_start,
        period_stages.period_end,
        period_stages.stage,
        coalesce(measured.opportunities_entered, 0) as opportunities_entered,
        coalesce(measured.opportunities_exited, 0) as opportunities_exited,
        measured.avg_days_in_stage,
        measured.median_days_in_stage,
        coalesce(measured.opportunities_converted, 0) as opportunities_converted
    from period_stages
    left join measured
        on period_stages.grain = measured.grain
        and period_stages.period_start = measured.period_start
        and period_stages.stage = measured.stage
    union all
    select
        measured.grain,
        data_span.period_start,
        data_span.period_end,
        measured.stage,
        measured.opportunities_entered,
        measured.opportunities_exited,
        measured.avg_days_in_stage,
        measured.median_days_in_stage,
        measured.opportunities_converted
    from measured
    cross join data_span
    where measured.grain = 'all'
),

final as (
    select
        joined.grain,
        joined.period_start,
        joined.period_end,
        joined.stage,
        cast(stages.stage_position as double) as stage_position,
        cast(joined.opportunities_entered as {{ dbt.type_bigint() }}) as opportunities_entered,
        cast(joined.opportunities_exited as {{ dbt.type_bigint() }}) as opportunities_exited,
        cast(joined.avg_days_in_stage as double) as avg_days_in_stage,
        cast(joined.median_days_in_stage as double) as median_days_in_stage,
        cast(joined.opportunities_converted as {{ dbt.type_bigint() }}) as opportunities_converted,
        {{ safe_divide('joined.opportunities_converted', 'joined.opportunities_entered') }}
            as conversion_to_next_stage
    from joined
    inner join stages
        on joined.stage = stages.stage
)

select * from final
