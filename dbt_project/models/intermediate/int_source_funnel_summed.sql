{#
    Leads, opportunities and closed deals counted per lead source and grain x period, before rates
    (funnel_by_source adds those). Each record by its own lead source (`unknown` when blank): leads on their
    created_date, opportunities created on theirs, closed deals and revenue on close_date. Every source seen
    on a lead or a deal gets a row in every period, zeros where nothing happened. A lead counts as converted
    if it is converted now, whenever that happened.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

lead_sources as (
    select lead_source from leads
    union
    select lead_source from opportunities
),

source_periods as (
    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        lead_sources.lead_source
    from periods
    cross join lead_sources
),

created_leads as (
    select
        lead_source,
        created_date,
        is_converted
    from leads
),

leads_by_period as (
    select
        grain,
        period_start,
        lead_source,
        count(*) as leads_created,
        count(case when is_converted then 1 end) as leads_converted
    from ({{ rows_per_grain('created_leads', 'created_date') }}) as leads_per_grain
    group by grain, period_start, lead_source
),

created_opportunities as (
    select
        lead_source,
        created_date
    from opportunities
),

opportunities_by_period as (
    select
        grain,
        period_start,
        lead_source,
        count(*) as opportunities_created
    from ({{ rows_per_grain('created_opportunities', 'created_date') }}) as opportunities_per_grain
    group by grain, period_start, lead_source
),

closed_deals as (
    select
        lead_source,
        close_date,
        status,
        amount
    from opportunities
    where status in ('won', 'lost')
),

closed_deals_by_period as (
    select
        grain,
        period_start,
        lead_source,
        {{ closed_deal_measures() }}
    from ({{ rows_per_grain('closed_deals', 'close_date') }}) as closed_deals_per_grain
    group by grain, period_start, lead_source
),

source_periods_joined as (
    select
        source_periods.grain,
        source_periods.period_start,
        source_periods.period_end,
        source_periods.lead_source,
        coalesce(leads_by_period.leads_created, 0) as leads_created,
        coalesce(leads_by_period.leads_converted, 0) as leads_converted,
        coalesce(opportunities_by_period.opportunities_created, 0) as opportunities_created,
        coalesce(closed_deals_by_period.deals_won, 0) as deals_won,
        coalesce(closed_deals_by_period.deals_lost, 0) as deals_lost,
        coalesce(closed_deals_by_period.lost_amount, 0) as lost_amount,
        coalesce(closed_deals_by_period.revenue, 0) as revenue
    from source_periods
    left join leads_by_period
        on source_periods.grain = leads_by_period.grain
        and source_periods.period_start = leads_by_period.period_start
        and source_periods.lead_source = leads_by_period.lead_source
    left join opportunities_by_period
        on source_periods.grain = opportunities_by_period.grain
        and source_periods.period_start = opportunities_by_period.period_start
        and source_periods.lead_source = opportunities_by_period.lead_source
    left join closed_deals_by_period
        on source_periods.grain = closed_deals_by_period.grain
        and source_periods.period_start = closed_deals_by_period.period_start
        and source_periods.lead_source = closed_deals_by_period.lead_source
)

select * from source_periods_joined
