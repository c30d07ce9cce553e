with

users as (
    select * from {{ ref('int_reps_unioned') }}
),

managers as (
    select
        rep_id as manager_id,
        rep_name as manager_name
    from users
),

final as (
    select
        users.rep_id,
        users.rep_name,
        users.manager_id,
        coalesce(managers.manager_name, users.manager_name) as manager_name,
        users.team,
        users.region,
        users.is_active
    from users
    left join managers
        on users.manager_id = managers.manager_id
)

select * from final
