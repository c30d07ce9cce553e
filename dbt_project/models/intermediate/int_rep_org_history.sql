{#
    Each rep's manager, team and region over time, rebuilt from repeated User exports, as stage history is from
    repeated Opportunity exports (int_stage_history_from_exports): staging keeps only the latest export of each
    user, so this model reads raw, which keeps every export ever loaded. An export's date is the YYYY-MM-DD in
    its path, else the day it was loaded; of two exports of one day the later load (then file, then line) wins.
    A span opens at the first export that shows a rep's manager, team and region (compared trimmed, blank =
    NULL) and lasts until the export that shows a change (valid_to, exclusive; NULL for the current span): a
    change between two exports is dated at the later one, the first that shows it.
    Deals are credited to the span their close date falls in (int_opportunities_attributed, org_as_of =
    'close'); a deal closed before a rep's first export has no history and takes today's org ('current').
    Manager names are today's names of the manager ids (int_reps_joined_to_managers).
#}
with

user_exports as (
    select * from {{ source('salesforce', 'salesforce__user') }}
),

reps as (
    select * from {{ ref('int_reps_joined_to_managers') }}
),

observations as (
    select
        {{ text_or_null('"Id"') }} as rep_id,
        {{ text_or_null('"ManagerId"') }} as manager_id,
        {{ text_or_null('"Department"') }} as team,
        {{ text_or_null('"Division"') }} as region,
        {#- DuckDB's regexp_extract: dbt has no portable regex macro. The greedy .* finds the last date. #}
        coalesce(
            {{ try_cast("nullif(regexp_extract(_source_file, '.*(\\d{4}-\\d{2}-\\d{2})', 1), '')", 'date') }},
            cast(_loaded_at as date)
        ) as export_date,
        _source_file,
        _source_line,
        _loaded_at
    from user_exports
),

one_per_day as (
    select
        *,
        row_number() over (
            partition by rep_id, export_date
            order by _loaded_at desc, _source_file desc, _source_line desc
        ) as rank_in_day
    from observations
    where rep_id is not null
),

sequenced as (
    select
        *,
        lag(export_date) over (partition by rep_id order by export_date) as previous_export_date,
        lag(manager_id) over (partition by rep_id order by export_date) as previous_manager_id,
        lag(team) over (partition by rep_id order by export_date) as previous_team,
        lag(region) over (partition by rep_id order by export_date) as previous_region
    from one_per_day
    where rank_in_day = 1
),

changes as (
    select *
    from sequenced
    where previous_export_date is null
        or manager_id is distinct from previous_manager_id
        or team is distinct from previous_team
        or region is distinct from previous_region
),

final as (
    select
        changes.rep_id,
        changes.manager_id,
        managers.rep_name as manager_name,
        changes.team,
        changes.region,
        changes.export_date as valid_from,
        lead(changes.export_date) over (partition by changes.rep_id order by changes.export_date) as valid_to,
        changes._source_file,
        changes._source_line
    from changes
    left join reps as managers
        on changes.manager_id = managers.rep_id
)

select * from final
