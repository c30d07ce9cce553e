{#
    Stage history from the dbt snapshot (history.opportunities_snapshot): a stage entry is the first version
    of a run of versions with the same stage (trimmed, any case). entered_at, best evidence first
    (entered_at_basis): the version's LastStageChangeDate when present and moved since the previous version;
    the close date for a closing stage; the creation for the first version; else dbt_valid_from, the build
    that first saw the stage (the change happened on or before it).
#}
with

snapshot_versions as (
    select * from {{ ref('opportunities_snapshot') }}
),

sequenced as (
    select
        opportunity_id,
        stage,
        lower(stage) as stage_key,
        status,
        probability,
        close_date,
        created_at,
        last_stage_change_date,
        cast(dbt_valid_from as {{ dbt.type_timestamp() }}) as valid_from,
        row_number() over (partition by opportunity_id order by dbt_valid_from) as observation_number,
        lag(lower(stage)) over (partition by opportunity_id order by dbt_valid_from) as previous_stage_key,
        lag(last_stage_change_date) over (
            partition by opportunity_id
            order by dbt_valid_from
        ) as previous_last_stage_change_date
    from snapshot_versions
    where opportunity_id is not null
        and stage is not null
),

stage_changes as (
    select
        *,
        last_stage_change_date is not null
        and (
            observation_number = 1
            or previous_last_stage_change_date is null
            or last_stage_change_date > previous_last_stage_change_date
        ) as has_stage_change_date
    from sequenced
    where previous_stage_key is null
        or previous_stage_key <> stage_key
),

final as (
    select
        opportunity_id,
        stage,
        stage_key,
        case
            when has_stage_change_date then cast(last_stage_change_date as {{ dbt.type_timestamp() }})
            when status in ('won', 'lost') and close_date is not null
                then cast(close_date as {{ dbt.type_timestamp() }})
            when observation_number = 1 then created_at
            else valid_from
        end as entered_at,
        case
            when has_stage_change_date then 'last_stage_change_date'
            when status in ('won', 'lost') and close_date is not null then 'close_date'
            when observation_number = 1 then 'creation'
            else 'snapshot_valid_from'
        end as entered_at_basis,
        probability,
        observation_number,
        valid_from
    from stage_changes
)

select * from final
