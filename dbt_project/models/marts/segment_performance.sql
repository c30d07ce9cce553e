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

segments as (
    select distinct
        segment,
        industry
    from opportunities_joined_to_accounts
),

segment_periods as (
    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        segments.segment,
        segments.industry
    from periods
    cross join segments
),

closed_deals as (
    select *
    from opportunities_joined_to_accounts
    where status in ('won', 'lost')
),

closed_deals_by_period as (
    select
        grain,
        period_start,
        segment,
        industry,
        {{ closed_deal_measures() }},
        count(distinct case when status = 'won' then account_id end) as active_customers,
        count(case when status = 'won' and is_first_won_deal then 1 end) as new_customers
    from ({{ rows_per_grain('closed_deals', 'close_date') }}) as closed_deals_per_grain
    group by grain, period_start, segment, industry
),

segment_periods_joined as (
    select
        segment_periods.grain,
        segment_periods.period_start,
        segment_periods.period_end,
        segment_periods.segment,
        segment_periods.industry,
        coalesce(closed_deals_by_period.revenue, 0) as revenue,
        coalesce(closed_deals_by_period.deals_won, 0) as deals_won,
        coalesce(closed_deals_by_period.deals_lost, 0) as deals_lost,
        coalesce(closed_deals_by_period.active_customers, 0) as active_customers,
        coalesce(closed_deals_by_period.new_customers, 0) as new_customers
    from segment_periods
    left join closed_deals_by_period
        on segment_periods.grain = closed_deals_by_period.grain
        and segment_periods.period_start = closed_deals_by_period.period_start
        and segment_periods.segment = closed_deals_by_period.segment
        and segment_periods.industry = closed_deals_by_period.industry
),

final as (
    select
        grain,
        period_start,
        period_end,
        segment,
        industry,
        {{ money('revenue') }} as revenue,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        cast(deals_lost as {{ dbt.type_bigint() }}) as deals_lost,
        cast(active_customers as {{ dbt.type_bigint() }}) as active_customers,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        {{ divide_money('revenue', 'deals_won') }} as avg_deal_size,
        {{ safe_divide('deals_won', 'deals_won + deals_lost') }} as win_rate
    from segment_periods_joined
)

select * from final
