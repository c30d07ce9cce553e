{#
    Every account a deal can point at: the Account export plus ids that only appear on deals (kept with
    blank attributes rather than dropped). first_won_date makes an account a customer.
#}
with

accounts as (
    select * from {{ ref('int_accounts_unioned') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

first_won_dates as (
    select
        account_id,
        min(close_date) as first_won_date
    from opportunities
    where status = 'won'
        and account_id is not null
    group by account_id
),

exported_accounts as (
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
        false as is_inferred
    from accounts
),

inferred_accounts as (
    select distinct
        opportunities.account_id,
        cast(null as {{ dbt.type_string() }}) as account_name,
        cast(null as {{ dbt.type_string() }}) as account_type,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as {{ dbt.type_string() }}) as segment,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as state,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as date) as created_date,
        false as is_deleted,
        true as is_inferred
    from opportunities
    left join accounts
        on opportunities.account_id = accounts.account_id
    where opportunities.account_id is not null
        and accounts.account_id is null
),

unioned as (
    select * from exported_accounts
    union all
    select * from inferred_accounts
),

final as (
    select
        unioned.*,
        first_won_dates.first_won_date,
        first_won_dates.first_won_date is not null as is_customer
    from unioned
    left join first_won_dates
        on unioned.account_id = first_won_dates.account_id
)

select * from final
