{# Accounts from every source in canonical columns (Salesforce Account export, mapped exports). #}
with

salesforce_accounts as (
    select * from {{ ref('stg_salesforce__accounts') }}
),

canonical_accounts as (
    select * from {{ ref('stg_canonical__accounts') }}
),

salesforce_renamed as (
    select
        account_id,
        account_name,
        account_type,
        industry,
        segment,
        city,
        state,
        country,
        region,
        owner_id,
        created_date,
        is_deleted,
        'salesforce' as _source_name,
        _source_file,
        _source_line
    from salesforce_accounts
),

canonical_renamed as (
    select
        account_id,
        account_name,
        cast(null as {{ dbt.type_string() }}) as account_type,
        industry,
        segment,
        cast(null as {{ dbt.type_string() }}) as city,
        state,
        country,
        region,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        created_date,
        false as is_deleted,
        _source_name,
        _source_file,
        _source_line
    from canonical_accounts
),

final as (
    select * from salesforce_renamed
    union all
    {#- An id in a Salesforce export and in a mapped export is one record exported twice: the Data Export's wins. #}
    select * from canonical_renamed
    where account_id not in (select account_id from salesforce_renamed where account_id is not null)
)

select * from final
