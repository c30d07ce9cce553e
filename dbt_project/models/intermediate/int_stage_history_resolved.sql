{#
    One stage history per opportunity, from the best source it has:
    - history_export: the exports' own stage history (int_stage_history_unioned: Salesforce
      OpportunityHistory and the stage history of mapped exports), where the opportunity has any;
    - repeated_exports: entries rebuilt from successive exports kept in raw (int_stage_history_from_exports),
      used for opportunities without export history, and for the others only after their last history entry
      (an export whose OpportunityHistory.csv is missing or lags behind Opportunity.csv);
    - snapshot: the dbt snapshot's entries (int_stage_history_from_snapshot), only for an opportunity raw holds
      no export of (raw pruned). The snapshot saw one state per build (the latest export), dated by the
      build's clock: raw holds every export it saw, dated by the exports, so where raw has the deal the
      snapshot adds nothing true, only entries that depend on how exports were batched into runs (several
      exports in one run: the final stage "entered" at creation; one per run: each stage again at build time).
    Entries are ordered by day entered (within a day: history, then repeated exports, then snapshot, then
    time; the snapshot's LastStageChangeDate is a date at midnight) and a repeat of the stage just before it
    is dropped: Salesforce also writes history rows when only amount or close date changed, and the sources
    overlap; the earliest evidence of a stage entry wins.
    The creation is always the entry into the first stage: when the earliest known entry falls on a later
    day than the creation (history truncated, a deal first seen in a later stage), an entry into stage
    'unknown' at created_at comes first, rather than pretending the later stage began at creation.
    Stage names take the spelling int_opportunities_attributed uses (odd case and spaces folded).
#}
{#-
    Incremental on DuckDB (macros/replace_keys.sql): a build computes again the histories of the deals
    stage_history_replaced_deals names; the stage spellings still come from every deal. `_loaded_at`: the newest
    load of the deal's row and history (deal_loads). On Spark, a table.
#}
{{ config(
    materialized=incremental_unless_spark('table'), incremental_strategy='replace_keys',
    unique_key='opportunity_id', replaced_keys='stage_history_replaced_deals',
    pre_hook='{{ materialize_replaced_keys() }}', post_hook='{{ drop_replaced_keys() }}'
) }}

with

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

exported_history as (
    select * from {{ ref('int_stage_history_unioned') }}
),

export_entries as (
    select * from {{ ref('int_stage_history_from_exports') }}
),

snapshot_entries as (
    select * from {{ ref('int_stage_history_from_snapshot') }}
),

history_entries as (
    {#- The probability recorded with the history row where the export has one (Salesforce does): carried by
        int_stage_history_unioned, not joined back to staging by file and line (a hash join of every history row:
        at 10M deals, 38M rows, the model alone took 295 s with it and 238 s without). -#}
    select
        exported_history.opportunity_id,
        exported_history.stage,
        lower(exported_history.stage) as stage_key,
        exported_history.entered_at,
        'history_export' as source,
        'history_created_date' as entered_at_basis,
        exported_history.probability,
        1 as source_priority
    from exported_history
    where exported_history.opportunity_id is not null
        and exported_history.stage is not null
        and exported_history.entered_at is not null
        and {{ only_replaced('exported_history.opportunity_id') }}
),

history_ends as (
    select
        opportunity_id,
        max(entered_at) as last_history_entered_at
    from history_entries
    group by opportunity_id
),

rebuilt_entries as (
    select
        opportunity_id,
        stage,
        stage_key,
        entered_at,
        'repeated_exports' as source,
        entered_at_basis,
        probability,
        2 as source_priority
    from export_entries
    where {{ only_replaced('opportunity_id') }}
    union all
    select
        opportunity_id,
        stage,
        stage_key,
        entered_at,
        'snapshot' as source,
        entered_at_basis,
        probability,
        3 as source_priority
    from snapshot_entries
    where opportunity_id not in (select opportunity_id from export_entries)
        and {{ only_replaced('opportunity_id') }}
),

rebuilt_entries_after_history as (
    select rebuilt_entries.*
    from rebuilt_entries
    left join history_ends
        on rebuilt_entries.opportunity_id = history_ends.opportunity_id
    where rebuilt_entries.entered_at is not null
        and (
            history_ends.last_history_entered_at is null
            or rebuilt_entries.entered_at > history_ends.last_history_entered_at
        )
),

candidate_entries as (
    {#- Only deals that reached the model: the history of a deal the audit quarantined (or that no export holds)
        has no deal to belong to. -#}
    select * from history_entries
    where opportunity_id in (select opportunity_id from opportunities)
    union all
    select * from rebuilt_entries_after_history
    where opportunity_id in (select opportunity_id from opportunities)
),

candidates_ordered as (
    select
        *,
        lag(stage_key) over (
            partition by opportunity_id
            order by cast(entered_at as date), source_priority, entered_at
        ) as previous_stage_key
    from candidate_entries
),

stage_entries as (
    select *
    from candidates_ordered
    where previous_stage_key is null
        or previous_stage_key <> stage_key
),

first_entries as (
    select
        opportunity_id,
        min(entered_at) as first_entered_at,
        min(source_priority) as first_source_priority
    from stage_entries
    group by opportunity_id
),

creation_entries as (
    {#- Also for an opportunity with no entry at all: it was created in a stage nobody recorded. -#}
    select
        opportunities.opportunity_id,
        'unknown' as stage,
        'unknown' as stage_key,
        opportunities.created_at as entered_at,
        case coalesce(first_entries.first_source_priority, 2)
            when 1 then 'history_export'
            when 2 then 'repeated_exports'
            else 'snapshot'
        end as source,
        'creation' as entered_at_basis,
        cast(null as decimal(9, 6)) as probability,
        0 as source_priority
    from opportunities
    left join first_entries
        on opportunities.opportunity_id = first_entries.opportunity_id
    where opportunities.created_at is not null
        and {{ only_replaced('opportunities.opportunity_id') }}
        and (
            first_entries.opportunity_id is null
            or cast(first_entries.first_entered_at as date) > opportunities.created_date
        )
),

all_entries as (
    select
        opportunity_id,
        stage,
        stage_key,
        entered_at,
        source,
        entered_at_basis,
        probability,
        source_priority
    from stage_entries
    union all
    select * from creation_entries
),

canonical_stages as (
    {{ attributed_stage_spellings() }}
),

sequenced as (
    select
        all_entries.opportunity_id,
        row_number() over (
            partition by all_entries.opportunity_id
            order by cast(all_entries.entered_at as date), all_entries.source_priority, all_entries.entered_at
        ) as entry_number,
        coalesce(canonical_stages.stage, all_entries.stage) as stage,
        all_entries.entered_at,
        all_entries.source,
        all_entries.entered_at_basis,
        all_entries.probability,
        lead(all_entries.entered_at) over (
            partition by all_entries.opportunity_id
            order by cast(all_entries.entered_at as date), all_entries.source_priority, all_entries.entered_at
        ) as exited_at
    from all_entries
    left join canonical_stages
        on all_entries.stage_key = canonical_stages.stage_key
),

{# the newest load of the deal's row, export history and repeated exports #}
deal_loads as (
    select
        opportunity_id,
        max(_loaded_at) as _loaded_at
    from (
        select opportunity_id, _loaded_at from opportunities
        union all
        select opportunity_id, _loaded_at from exported_history
        union all
        select opportunity_id, _loaded_at from export_entries
    ) as loads
    where {{ only_replaced('opportunity_id') }}
    group by opportunity_id
),

final as (
    select
        sequenced.opportunity_id,
        sequenced.entry_number,
        sequenced.stage,
        sequenced.entered_at,
        cast(sequenced.entered_at as date) as entered_date,
        sequenced.exited_at,
        cast(sequenced.exited_at as date) as exited_date,
        sequenced.source,
        sequenced.entered_at_basis,
        sequenced.probability,
        deal_loads._loaded_at
    from sequenced
    left join deal_loads
        on sequenced.opportunity_id = deal_loads.opportunity_id
)

select * from final
