{#
    Per account segment x industry and grain x period. A deal takes its account's segment and industry
    (dim_accounts); `unknown` when blank or when the deal has no account or one missing from the export.
    Every pair seen on any deal gets a row in every period, so segment figures add up to sales_by_period.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

opportunities_joined_to_accounts as (
    select
        opportunities.account_id,
        opportunities.close_date,
        opportunities.status,
        opportunities.amount,
        opportunities.is_first_won_deal,
        coalesce({{ text_or_null('accounts.segment') }}, 'unknown') as segment,
        coalesce({{ text_or_null('accounts.industry') }}, 'unknown') as industry
    from opportunities
    left join accounts
        on opportunities.account_id = accounts.account_id
),

closed_deals as (
    select *
    from opportunities_joined_to_accounts
    where status in ('won', 'lost')
),

final as (
    {{ member_sales_by_period('periods', 'opportunities_joined_to_accounts', 'closed_deals', ['segment', 'industry']) }}
)

select * from final
