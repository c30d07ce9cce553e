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

regions as (
    select distinct
        region,
        country
    from opportunities
),

region_periods as (
    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        regions.region,
        regions.country
    from periods
    cross join regions
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

closed_deals_by_period as (
    select
        grain,
        period_start,
        region,
        country,
        {{ closed_deal_measures() }},
        count(distinct case when status = 'won' then account_id end) as active_customers,
        count(case when status = 'won' and is_first_won_deal then 1 end) as new_customers
    from ({{ rows_per_grain('closed_deals', 'close_date') }}) as closed_deals_per_grain
    group by grain, period_start, region, country
),

region_periods_joined as (
    select
        region_periods.grain,
        region_periods.period_start,
        region_periods.period_end,
        region_periods.region,
        region_periods.country,
        coalesce(closed_deals_by_period.revenue, 0) as revenue,
        coalesce(closed_deals_by_period.deals_won, 0) as deals_won,
        coalesce(closed_deals_by_period.deals_lost, 0) as deals_lost,
        coalesce(closed_deals_by_period.active_customers, 0) as active_customers,
        coalesce(closed_deals_by_period.new_customers, 0) as new_customers
    from region_periods
    left join closed_deals_by_period
        on region_periods.grain = closed_deals_by_period.grain
        and region_periods.period_start = closed_deals_by_period.period_start
        and region_periods.region = closed_deals_by_period.region
        and region_periods.country = closed_deals_by_period.country
),

final as (
    select
        grain,
        period_start,
        period_end,
        region,
        country,
        {{ money('revenue') }} as revenue,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        cast(deals_lost as {{ dbt.type_bigint() }}) as deals_lost,
        cast(active_customers as {{ dbt.type_bigint() }}) as active_customers,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        {{ divide_money('revenue', 'deals_won') }} as avg_deal_size,
        {{ safe_divide('deals_won', 'deals_won + deals_lost') }} as win_rate
    from region_periods_joined
)

select * from final
