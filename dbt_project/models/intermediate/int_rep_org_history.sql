{#
    Each rep's manager, team and region over time, rebuilt from repeated User exports, as stage history is from
    repeated Opportunity exports (int_stage_history_from_exports): staging keeps only the latest export of each
    user, so this model reads raw, which keeps every export ever loaded. An export's date is the YYYY-MM-DD in
    its path, else the day it was loaded; of two exports of one day the later load (then file, then line) wins.
    A span opens at the first export that shows a rep's manager, team and region (compared trimmed, blank =
    NULL) and lasts until the export that shows a change (valid_to, exclusive; NULL for the current span): a
    change between two exports is dated at the later one, the first that shows it.
    A mapped reps history file (stg_canonical__rep_history: Rep ID, Manager ID, Team, Region, Valid from, for
    HubSpot, Pipedrive or any mapped export) adds observations dated at their valid_from; on a day both give
    one, the history file's wins. Its Manager (name) stands where Manager ID is no known rep.
    Deals are credited to the span their close date falls in (int_opportunities_attributed, org_as_of =
    'close'); a deal closed before a rep's first export has no history and takes today's org ('current').
    Manager names are today's names of the manager ids (int_reps_joined_to_managers).
#}
with

user_exports as (
    select * from {{ source('salesforce', 'salesforce__user') }}
),

rep_history as (
    select * from {{ ref('stg_canonical__rep_history') }}
),

reps as (
    select * from {{ ref('int_reps_joined_to_managers') }}
),

observations as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as rep_id,
        {{ text_or_null(adapter.quote('ManagerId')) }} as manager_id,
        cast(null as {{ dbt.type_string() }}) as manager_name,
        {{ text_or_null(adapter.quote('Department')) }} as team,
        {{ text_or_null(adapter.quote('Division')) }} as region,
        {#- regexp_extract (DuckDB and Spark): dbt has no portable regex macro. The greedy .* finds the last date;
            [0-9], not a backslash-d: Spark reads a backslash in a string literal as an escape. #}
        coalesce(
            {{ try_cast("nullif(regexp_extract(_source_file, '.*([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '')", 'date') }},
            cast(_loaded_at as date)
        ) as export_date,
        0 as from_history_file,
        _source_file,
        _source_line,
        _loaded_at
    from user_exports
    union all
    select
        rep_id,
        manager_id,
        manager_name,
        team,
        region,
        valid_from as export_date,
        1 as from_history_file,
        _source_file,
        _source_line,
        cast(null as timestamp) as _loaded_at
    from rep_history
    where valid_from is not null
),

one_per_day as (
    select
        *,
        row_number() over (
            partition by rep_id, export_date
            order by from_history_file desc, _loaded_at desc, _source_file desc, _source_line desc
        ) as rank_in_day
    from observations
    where rep_id is not null
),

sequenced as (
    select
        *,
        lag(export_date) over (partition by rep_id order by export_date) as previous_export_date,
        lag(manager_id) over (partition by rep_id order by export_date) as previous_manager_id,
        lag(manager_name) over (partition by rep_id order by export_date) as previous_manager_name,
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
        or manager_name is distinct from previous_manager_name
        or team is distinct from previous_team
        or region is distinct from previous_region
),

final as (
    select
        changes.rep_id,
        changes.manager_id,
        coalesce(managers.rep_name, changes.manager_name) as manager_name,
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
