{#
    One row per entry of a deal into a known stage (int_stage_history_resolved without the 'unknown' stage,
    which is not a stage of the sales process), measured for stage_velocity:
    - days_in_stage: from the day the stage was entered to the day the next stage was entered; NULL for a
      deal still in the stage, or in a closing stage (which has no next one).
    - converted: 1 when the deal later entered a later stage that is not a lost stage, or was won. "Later"
      is the stages' usual order, stage_position: the average position at which deals enter the stage
      (int_stage_orders). A lost stage is one whose current deals are mostly lost.
    Each row keeps its stage's rank in that order (stage_rank) and whether it is a lost stage, not the
    position itself: converted depends only on the order (a later stage has a greater position), and the
    positions, averages over every deal, move with nearly any new deal where the order does not.
#}
{#-
    Incremental on DuckDB (macros/replace_keys.sql): a build computes again the entries of the deals
    stage_entries_replaced_deals names (macros/stage_entries.sql): those whose history or deal changed, and every
    deal with an entry whose stage's rank or lost flag moved. The stage orders come from the entries computed
    again and the stored entries of the other deals. `_loaded_at`: int_stage_history_resolved's. On Spark, a
    table.
#}
{{ config(
    materialized=incremental_unless_spark('table'), incremental_strategy='replace_keys',
    unique_key='opportunity_id', replaced_keys='stage_entries_replaced_deals',
    pre_hook='{{ materialize_replaced_keys() }}', post_hook='{{ drop_replaced_keys() }}'
) }}
{#- read by stage_entries_replaced_deals (incremental builds only) #}
-- depends_on: {{ ref('int_stage_history_from_exports') }}
-- depends_on: {{ ref('int_stage_history_from_snapshot') }}

with

stage_history as (
    select * from {{ ref('int_stage_history_resolved') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

known_entries as (
    {{ known_stage_entries('stage_history', 'opportunities', only_replaced('stage_history.opportunity_id')) }}
),

all_known_entries as (
    select
        stage,
        known_entry_number
    from known_entries
    {% if is_incremental() -%}
    union all
    {#- the deals not computed again: their stored entries are those of a full build #}
    select
        stage,
        known_entry_number
    from {{ this }}
    where opportunity_id not in (
        select replaced_key from {{ replaced_keys_table() }} where replaced_key is not null
    )
    {%- endif %}
),

stage_orders as (
    {{ stage_orders('all_known_entries', 'opportunities') }}
),

entries_ranked as (
    select
        known_entries.*,
        stage_orders.stage_rank,
        stage_orders.is_lost_stage,
        case when not stage_orders.is_lost_stage then stage_orders.stage_rank end as progress_rank
    from known_entries
    inner join stage_orders
        on known_entries.stage = stage_orders.stage
),

entries_with_later_progress as (
    select
        entries_ranked.*,
        max(progress_rank) over (
            partition by opportunity_id
            order by known_entry_number
            rows between 1 following and unbounded following
        ) as later_progress_rank
    from entries_ranked
),

final as (
    select
        opportunity_id,
        known_entry_number,
        stage,
        entered_date,
        stage_rank,
        is_lost_stage,
        case
            when exited_date is not null then {{ days_between('entered_date', 'exited_date') }}
        end as days_in_stage,
        case
            when is_won then 1
            when later_progress_rank > stage_rank then 1
            else 0
        end as converted,
        _loaded_at
    from entries_with_later_progress
)

select * from final
