{#
    The customers of each period: one row per account per grain x period in which it has a won deal
    (booked on close_date). customer_retention and cohort_retention compare these rows between periods.
    Won deals without an account cannot make a customer and are left out (sales_by_period's
    active_customers counts distinct non-null accounts the same way).
#}
with

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

won_deals as (
    select
        account_id,
        close_date,
        amount,
        is_first_won_deal
    from opportunities
    where status = 'won'
        and account_id is not null
),

final as (
    select
        grain,
        period_start,
        account_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as deals_won,
        {#- Exact (DECIMAL(38,6)): nothing in the warehouse rounds money to the cent. -#}
        cast(coalesce(sum(amount), 0) as decimal(38, 6)) as revenue,
        {#- The account's first won deal (earliest close_date, ties by id) closed in this period. -#}
        {{ dbt.bool_or('is_first_won_deal') }} as is_new_customer
    from ({{ rows_per_grain('won_deals', 'close_date') }}) as won_deals_per_grain
    group by grain, period_start, account_id
)

select * from final
