{#
    Each rep's closed deals summed per grain x period x the org they closed in, before rates, quota and
    point-in-time figures (rep_performance adds those). A deal is credited to its owner on its close_date, and
    to the owner's manager, team and region at close (int_opportunities_attributed: org_as_of = 'close' from
    the org history, 'current' = today's org where no history covers the close).
    Reps are those who own a deal or carry a quota; each gets a row in every period under today's org (zeros
    where idle: is_current_org, the row that carries quota and open-deal figures), plus one per other org its
    deals of the period closed in. A row's org_as_of is 'close' when all its closed deals were credited from
    the history, else 'current'. as_of_date is the period's (int_periods_spined), where rep_performance reads
    the open-deal figures.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

quotas as (
    select * from {{ ref('int_rep_quotas_prorated') }}
),

reps as (
    select * from {{ ref('int_reps_joined_to_managers') }}
),

measured_reps as (
    select rep_id from opportunities
    union
    select rep_id from quotas
),

current_org_rows as (
    {#- Every measured rep in every period under today's org: the row quota and open figures attach to. #}
    select
        periods.grain,
        periods.period_start,
        measured_reps.rep_id,
        reps.manager_name,
        reps.team,
        reps.region,
        true as is_current_org,
        0 as closed_deals,
        0 as closed_deals_at_close,
        cast(null as decimal(38, 6)) as revenue,
        0 as deals_won,
        0 as deals_lost,
        cast(null as decimal(38, 6)) as lost_amount,
        cast(null as bigint) as sales_cycle_days_sum,
        0 as sales_cycle_deals,
        0 as deals_won_small,
        0 as deals_won_medium,
        0 as deals_won_large
    from periods
    cross join measured_reps
    left join reps
        on measured_reps.rep_id = reps.rep_id
),

closed_deals as (
    select
        rep_id,
        manager_name,
        team,
        rep_region as region,
        org_as_of,
        close_date,
        status,
        amount,
        sales_cycle_days,
        deal_size_band
    from opportunities
    where status in ('won', 'lost')
),

closed_deals_by_period as (
    select
        grain,
        period_start,
        rep_id,
        manager_name,
        team,
        region,
        false as is_current_org,
        count(*) as closed_deals,
        count(case when org_as_of = 'close' then 1 end) as closed_deals_at_close,
        {{ closed_deal_measures() }},
        sum(case when status = 'won' then sales_cycle_days end) as sales_cycle_days_sum,
        count(case when status = 'won' then sales_cycle_days end) as sales_cycle_deals,
        count(case when deal_size_band = 'small' then 1 end) as deals_won_small,
        count(case when deal_size_band = 'medium' then 1 end) as deals_won_medium,
        count(case when deal_size_band = 'large' then 1 end) as deals_won_large
    from ({{ rows_per_grain('closed_deals', 'close_date') }}) as closed_deals_per_grain
    group by grain, period_start, rep_id, manager_name, team, region
),

rows_unioned as (
    select * from current_org_rows
    union all
    select * from closed_deals_by_period
),

rows_per_org as (
    {#- One row per rep x period x org: a rep's deals closed under today's org join its current-org row. #}
    select
        grain,
        period_start,
        rep_id,
        manager_name,
        team,
        region,
        bool_or(is_current_org) as is_current_org,
        sum(closed_deals) as closed_deals,
        sum(closed_deals_at_close) as closed_deals_at_close,
        sum(revenue) as revenue,
        sum(deals_won) as deals_won,
        sum(deals_lost) as deals_lost,
        sum(lost_amount) as lost_amount,
        sum(sales_cycle_days_sum) as sales_cycle_days_sum,
        sum(sales_cycle_deals) as sales_cycle_deals,
        sum(deals_won_small) as deals_won_small,
        sum(deals_won_medium) as deals_won_medium,
        sum(deals_won_large) as deals_won_large
    from rows_unioned
    group by grain, period_start, rep_id, manager_name, team, region
),

final as (
    select
        rows_per_org.grain,
        rows_per_org.period_start,
        periods.period_end,
        periods.as_of_date,
        rows_per_org.rep_id,
        rows_per_org.manager_name,
        rows_per_org.team,
        rows_per_org.region,
        case
            when rows_per_org.closed_deals > 0 and rows_per_org.closed_deals_at_close = rows_per_org.closed_deals
                then 'close'
            else 'current'
        end as org_as_of,
        rows_per_org.is_current_org,
        coalesce(rows_per_org.revenue, 0) as revenue,
        rows_per_org.deals_won,
        rows_per_org.deals_lost,
        coalesce(rows_per_org.lost_amount, 0) as lost_amount,
        {{ safe_divide('rows_per_org.sales_cycle_days_sum', 'rows_per_org.sales_cycle_deals') }}
            as avg_sales_cycle_days,
        rows_per_org.deals_won_small,
        rows_per_org.deals_won_medium,
        rows_per_org.deals_won_large
    from rows_per_org
    inner join periods
        on rows_per_org.grain = periods.grain
        and rows_per_org.period_start = periods.period_start
)

select * from final
