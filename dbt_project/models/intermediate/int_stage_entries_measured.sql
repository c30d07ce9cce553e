{#
    One row per entry of a deal into a known stage (int_stage_history_resolved without the 'unknown' stage,
    which is not a stage of the sales process), measured for stage_velocity:
    - days_in_stage: from the day the stage was entered to the day the next stage was entered; NULL for a
      deal still in the stage, or in a closing stage (which has no next one).
    - converted: 1 when the deal later entered a later stage that is not a lost stage, or was won. "Later"
      is the stages' usual order, stage_position: the average position at which deals enter the stage. A
      lost stage is one whose current deals are mostly lost.
#}
with

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

entries_with_later_progress as (
    select
        entries_ranked.*,
        max(progress_position) over (
            partition by opportunity_id
            order by known_entry_number
            rows between 1 following and unbounded following
        ) as later_progress_position
    from entries_ranked
),

final as (
    select
        opportunity_id,
        known_entry_number,
        stage,
        entered_date,
        stage_position,
        case
            when exited_date is not null then {{ days_between('entered_date', 'exited_date') }}
        end as days_in_stage,
        case
            when is_won then 1
            when later_progress_position > stage_position then 1
            else 0
        end as converted
    from entries_with_later_progress
)

select * from final
