{#
    The stage orders int_stage_entries_measured's entries were measured with (int_stage_orders: each stage's
    stored rank and lost flag) are the ones every entry of every deal gives now. An incremental build keeps the
    entries of deals it does not compute again: a stage's rank or lost flag left stale (or NULL) on them would
    show here (and as two rows of the stage in int_stage_orders: its unique test).
#}
{{ config(meta={'dagster': {'ref': {'name': 'int_stage_orders'}}}) }}

with

stored as (
    select * from {{ ref('int_stage_orders') }}
),

current_orders as (
    {{ stage_orders(ref('int_stage_entries_measured'), ref('int_opportunities_attributed')) }}
)

select
    coalesce(stored.stage, current_orders.stage) as stage,
    stored.stage_rank as stored_rank,
    current_orders.stage_rank as current_rank,
    stored.is_lost_stage as stored_is_lost,
    current_orders.is_lost_stage as current_is_lost
from stored
full outer join current_orders
    on stored.stage = current_orders.stage
where stored.stage is null
    or current_orders.stage is null
    or stored.stage_rank is distinct from current_orders.stage_rank
    or stored.is_lost_stage is distinct from current_orders.is_lost_stage
    or stored.stage_position <> current_orders.stage_position
