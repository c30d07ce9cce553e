{#
    Per region x country and grain x period. A deal's region is its own, else its account's, else its
    owner's (int_opportunities_attributed); its country is the account's billing country. Every pair seen
    on any deal gets a row in every period.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

closed_deals as (
    select
        region,
        country,
        account_id,
        close_date,
        status,
        amount,
        is_first_won_deal
    from opportunities
    where status in ('won', 'lost')
),

final as (
    {{ member_sales_by_period('periods', 'opportunities', 'closed_deals', ['region', 'country']) }}
)

select * from final
