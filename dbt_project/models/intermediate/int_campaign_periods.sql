{#
    The rows of campaign_performance: one row per campaign x grain x period of the calendar, from the period
    holding the campaign's first date (its start date, or an earlier lead or opportunity it is credited with,
    int_campaign_opportunities_attributed) to the end of the data. A campaign without any date gets every
    period; campaigns whose first date is after the last date of the data (planned) have no rows yet.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

campaigns as (
    select * from {{ ref('int_campaigns_channeled') }}
),

campaign_leads as (
    select * from {{ ref('int_campaign_leads') }}
),

campaign_opportunities as (
    select * from {{ ref('int_campaign_opportunities_attributed') }}
),

campaign_dates as (
    select campaign_id, start_date as campaign_date from campaigns
    union all
    select campaign_id, created_date as campaign_date from campaign_leads
    union all
    select campaign_id, created_date as campaign_date from campaign_opportunities
    union all
    select campaign_id, close_date as campaign_date from campaign_opportunities where status = 'won'
),

campaign_first_dates as (
    select
        campaign_id,
        min(campaign_date) as first_date
    from campaign_dates
    group by campaign_id
),

calendar_bounds as (
    {#- as_of_date is period_end capped at the last date of the data. #}
    select
        min(period_start) as calendar_start,
        max(as_of_date) as calendar_end
    from periods
),

final as (
    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.channel
    from campaigns
    cross join calendar_bounds
    left join campaign_first_dates
        on campaigns.campaign_id = campaign_first_dates.campaign_id
    inner join periods
        on periods.period_end >= coalesce(campaign_first_dates.first_date, calendar_bounds.calendar_start)
    where coalesce(campaign_first_dates.first_date, calendar_bounds.calendar_start) <= calendar_bounds.calendar_end
)

select * from final
