{#- int_stage_entries_measured's pieces shared with its replaced_keys macro. -#}

{#-
    Each known stage's order over `entries` (a relation or CTE with stage and known_entry_number: every known
    entry of every deal): stage_position, the average position at which deals enter the stage; stage_rank, its
    rank in that order (dense: stages of equal position share a rank); is_lost_stage, whether most of the deals
    now in the stage (`opportunities`, int_opportunities_attributed) are lost.
-#}
{% macro stage_orders(entries, opportunities) -%}
    select
        stage_positions.stage,
        stage_positions.stage_position,
        dense_rank() over (order by stage_positions.stage_position) as stage_rank,
        coalesce(stage_statuses.status, 'open') = 'lost' as is_lost_stage
    from (
        select
            stage,
            avg(known_entry_number) as stage_position
        from {{ entries }}
        group by stage
    ) as stage_positions
    left join (
        select
            stage,
            status,
            row_number() over (partition by stage order by count(*) desc, status) as status_rank
        from {{ opportunities }}
        where stage is not null
        group by stage, status
    ) as stage_statuses
        on stage_positions.stage = stage_statuses.stage
        and stage_statuses.status_rank = 1
{%- endmacro %}

{#-
    The known entries (int_stage_history_resolved without 'unknown') of the deals `condition` (on
    stage_history.opportunity_id) selects, numbered per deal, with whether the deal is won and its newest load.
-#}
{% macro known_stage_entries(stage_history, opportunities, condition='true') -%}
    select
        stage_history.opportunity_id,
        stage_history.stage,
        stage_history.entered_date,
        stage_history.exited_date,
        row_number() over (
            partition by stage_history.opportunity_id
            order by stage_history.entry_number
        ) as known_entry_number,
        opportunities.status = 'won' as is_won,
        stage_history._loaded_at
    from {{ stage_history }} as stage_history
    inner join {{ opportunities }} as opportunities
        on stage_history.opportunity_id = opportunities.opportunity_id
    where stage_history.stage <> 'unknown'
        and {{ condition }}
{%- endmacro %}

{#-
    The deals an incremental build of int_stage_entries_measured computes again (DuckDB). First those whose
    entries may have changed, as int_stage_history_resolved's own set (stage_history_replaced_deals) names them:
    deals whose history or deal row was loaded since the model's newest row (both carry the newest load),
    deals that left int_opportunities_attributed, deals only the snapshot knows, deals with an entry whose stage
    spelling moved (or whose stage no deal is in now). Then every deal with an entry whose stored stage_rank or
    is_lost_stage is not what the stage orders give now: the orders over the entries of the deals above computed
    again and the stored entries of the others (which are those of a full build: their history did not change).
-#}
{% macro stage_entries_replaced_deals() -%}
    {%- set opportunities = ref('int_opportunities_attributed') -%}
    {%- set stage_history = ref('int_stage_history_resolved') -%}
    with
    canonical_stages as ({{ attributed_stage_spellings() }}),
    changed as materialized (
        select opportunity_id from {{ stage_history }} where {{ new_loads() }}
        union
        select opportunity_id from {{ opportunities }} where {{ new_loads() }}
        union
        {{ stage_entries_gone_or_respelled() }}
    ),
    entries as (
        select stage, known_entry_number from (
            {{ known_stage_entries(stage_history, opportunities,
                'stage_history.opportunity_id in (select opportunity_id from changed)') }}
        ) as changed_entries
        union all
        select stage, known_entry_number from {{ this }}
        where opportunity_id not in (select opportunity_id from changed where opportunity_id is not null)
    ),
    stage_orders as ({{ stage_orders('entries', opportunities) }})
    select opportunity_id from changed
    union
    select stored.opportunity_id from {{ this }} as stored
    left join stage_orders on stored.stage = stage_orders.stage
    where stored.stage_rank is distinct from stage_orders.stage_rank
        or stored.is_lost_stage is distinct from stage_orders.is_lost_stage
{%- endmacro %}
