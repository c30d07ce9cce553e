{#
    One row per known stage: its usual place in the sales process (stage_position: the average position at
    which deals enter it, 1 = a deal's first known stage), its rank in that order and whether it is a lost
    stage, as int_stage_entries_measured's entries were measured with. Read by stage_velocity.
#}
with

entries_measured as (
    select * from {{ ref('int_stage_entries_measured') }}
),

final as (
    select
        stage,
        avg(known_entry_number) as stage_position,
        stage_rank,
        is_lost_stage
    from entries_measured
    group by stage, stage_rank, is_lost_stage
)

select * from final
