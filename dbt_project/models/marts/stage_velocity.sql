{#
    How deals move through the stages, by the period they entered the stage. One row per grain x period x
    stage, every period of the calendar for every stage (zeros, not missing rows), plus grain 'all': the
    whole history in one row per stage (period_start / period_end span the data; entries dated after the
    data's last date, e.g. a stage change seen only in a later export, count in 'all' only).

    - days in a stage: from the day it was entered to the day the next stage was entered. A deal still in
      the stage (or in a closing stage, which has no next one) has no duration yet: it counts in
      opportunities_entered and in the conversion denominator, not in the day averages.
    - conversion_to_next_stage: of the deals that entered the stage, the share that later entered a later
      stage that is not a lost stage, or were won. "Later" is the stages' usual order: the average position
      at which deals enter each stage. A lost stage is one whose current deals are mostly lost.
    - The 'unknown' stage (deals created in a stage nobody recorded, see int_stage_history_resolved) is left
      out: it is not a stage of the sales process.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

stage_history as (
    select * from {{ ref('int_stage_history_resolved') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

known_entries as (
    select
        stage_history.opportunity_id,
        stage_history.stage,
        stage_history.entered_date,
        stage_history.exited_date,
        row_number() over (
            partition by stage_history.opportunity_id
            order by stage_history.entry_number
        ) as known_entry_number,
        opportunities.status = 'won' as is_won
    from stage_history
    inner join opportunities
        on stage_history.opportunity_id = opportunities.opportunity_id
    where stage_history.stage <> 'unknown'
),

stage_statuses as (
    select
        stage,
        status,
        row_number() over (partition by stage order by count(*) desc, status) as status_rank
    from opportunities
    where stage is not null
    group by stage, status
),

stage_orders as (
    select
        known_entries.stage,
        avg(known_entries.known_entry_number) as stage_position,
        coalesce(max(stage_statuses.status), 'open') = 'lost' as is_lost_stage
    from known_entries
    left join stage_statuses
        on known_entries.stage = stage_statuses.stage
        and stage_statuses.status_rank = 1
    group by known_entries.stage
),

entries_ranked as (
    select
        known_entries.*,
        stage_orders.stage_position,
        case when not stage_orders.is_lost_stage then stage_orders.stage_position end as progress_position
    from known_entries
    inner join stage_orders
        on known_entries.stage = stage_orders.stage
),

entries_measured as (
    select
        opportunity_id,
        stage,
        entered_date,
        case
            when exited_date is not null then {{ dbt.datediff('entered_date', 'exited_date', 'day') }}
        end as days_in_stage,
        case
            when is_won then 1
            when max(progress_position) over (
                partition by opportunity_id
                order by known_entry_number
                rows between 1 following and unbounded following
            ) > stage_position then 1
            else 0
        end as converted
    from entries_ranked
),

entries_by_period as (
    {{ rows_per_grain('entries_measured', 'entered_date') }}
),

measured_by_period as (
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

measured_overall as (
    select
        'all' as grain,
        stage,
        count(*) as opportunities_entered,
        count(days_in_stage) as opportunities_exited,
        avg(days_in_stage) as avg_days_in_stage,
        {{ median('days_in_stage') }} as median_days_in_stage,
        sum(converted) as opportunities_converted
    from entries_measured
    group by stage
),

stages as (
    select distinct stage from entries_measured
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
        coalesce(measured_by_period.opportunities_entered, 0) as opportunities_entered,
        coalesce(measured_by_period.opportunities_exited, 0) as opportunities_exited,
        measured_by_period.avg_days_in_stage,
        measured_by_period.median_days_in_stage,
        coalesce(measured_by_period.opportunities_converted, 0) as opportunities_converted
    from period_stages
    left join measured_by_period
        on period_stages.grain = measured_by_period.grain
        and period_stages.period_start = measured_by_period.period_start
        and period_stages.stage = measured_by_period.stage
    union all
    select
        measured_overall.grain,
        data_span.period_start,
        data_span.period_end,
        measured_overall.stage,
        measured_overall.opportunities_entered,
        measured_overall.opportunities_exited,
        measured_overall.avg_days_in_stage,
        measured_overall.median_days_in_stage,
        measured_overall.opportunities_converted
    from measured_overall
    cross join data_span
),

final as (
    select
        joined.grain,
        joined.period_start,
        joined.period_end,
        joined.stage,
        cast(stage_orders.stage_position as double precision) as stage_position,
        cast(joined.opportunities_entered as {{ dbt.type_bigint() }}) as opportunities_entered,
        cast(joined.opportunities_exited as {{ dbt.type_bigint() }}) as opportunities_exited,
        cast(joined.avg_days_in_stage as double precision) as avg_days_in_stage,
        cast(joined.median_days_in_stage as double precision) as median_days_in_stage,
        cast(joined.opportunities_converted as {{ dbt.type_bigint() }}) as opportunities_converted,
        {{ safe_divide('joined.opportunities_converted', 'joined.opportunities_entered') }}
            as conversion_to_next_stage
    from joined
    inner join stage_orders
        on joined.stage = stage_orders.stage
)

select * from final
