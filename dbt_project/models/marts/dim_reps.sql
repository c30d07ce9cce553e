{#
    Every rep a fact can point at: the User export, plus owners that only appear on deals or quotas (kept
    with blank attributes rather than dropped), plus `unknown` for deals without an owner. So joins from
    the facts never lose a deal.
#}
with

reps as (
    select * from {{ ref('int_reps_joined_to_managers') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

quotas as (
    select * from {{ ref('int_quotas_unioned') }}
),

referenced_rep_ids as (
    select rep_id from opportunities
    union
    select rep_id from quotas where rep_id is not null
),

inferred_reps as (
    select
        referenced_rep_ids.rep_id,
        case when referenced_rep_ids.rep_id = 'unknown' then 'unknown' end as rep_name,
        cast(null as {{ dbt.type_string() }}) as manager_id,
        cast(null as {{ dbt.type_string() }}) as manager_name,
        cast(null as {{ dbt.type_string() }}) as team,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as boolean) as is_active,
        true as is_inferred
    from referenced_rep_ids
    left join reps
        on referenced_rep_ids.rep_id = reps.rep_id
    where reps.rep_id is null
),

exported_reps as (
    select
        rep_id,
        rep_name,
        manager_id,
        manager_name,
        team,
        region,
        is_active,
        false as is_inferred
    from reps
),

final as (
    select * from exported_reps
    union all
    select * from inferred_reps
)

select * from final
