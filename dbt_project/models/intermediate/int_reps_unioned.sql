{# Reps from every source in canonical columns (Salesforce User export, mapped exports). #}
with

salesforce_users as (
    select * from {{ ref('stg_salesforce__users') }}
),

canonical_reps as (
    select * from {{ ref('stg_canonical__reps') }}
),

salesforce_renamed as (
    select
        rep_id,
        rep_name,
        manager_id,
        cast(null as {{ dbt.type_string() }}) as manager_name,
        team,
        region,
        is_active,
        'salesforce' as _source_name,
        _source_file,
        _source_line
    from salesforce_users
),

canonical_renamed as (
    select
        rep_id,
        rep_name,
        manager_id,
        manager_name,
        team,
        region,
        coalesce(is_active, true) as is_active,
        _source_name,
        _source_file,
        _source_line
    from canonical_reps
),

final as (
    select * from salesforce_renamed
    union all
    {#- An id in a Salesforce export and in a mapped export is one record exported twice: the Data Export's wins. #}
    select * from canonical_renamed
    where rep_id not in (select rep_id from salesforce_renamed where rep_id is not null)
)

select * from final
