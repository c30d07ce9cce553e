{#
    The open pipeline as it stood at past dates: one row per as-of date (int_pipeline_as_of_dates: week ends,
    month ends and the run's as-of date) x rep x stage. Every rep (deal owner or quota holder) gets a row
    for every stage an open deal was ever in, zeros where none.

    Open at a date d, as int_rep_days_accumulated (and so rep_performance) counts it: created on or before
    d and not closed by d (a deal closing on d is no longer open on d). Its stage at d is the last stage
    entered on or before d (int_stage_history_resolved: export history, or history rebuilt from repeated
    exports / the dbt snapshot, with the creation as the first entry), else its current stage.

    Cost: deals are range-joined to the small table of as-of dates (a few hundred), so each deal yields
    one row per as-of date it was open at (about 15 on the sample), and its stage spell is found by an
    equality join on the deal plus a date range.
#}
{%- set stale_days = var('stale_days') | int %}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

stage_history as (
    select * from {{ ref('int_stage_history_resolved') }}
),

quotas as (
    select * from {{ ref('int_quotas_dated') }}
),

as_of_dates as (
    select * from {{ ref('int_pipeline_as_of_dates') }}
),

deals as (
    {#- The same open interval as int_rep_days_accumulated (macros/open_interval.sql); its age is NULL
        without a created date. -#}
    select
        opportunity_id,
        rep_id,
        stage as current_stage,
        probability as current_probability,
        {{ open_interval("(select max(period_end) from periods where grain = 'day')") }},
        created_date,
        close_date,
        case when status = 'open' then close_date end as expected_close_date,
        coalesce(amount, 0) as amount,
        status
    from opportunities
),

stage_spells as (
    {#- A stage holds from the day it was entered until the day the next one was (exclusive); of several
        entries on one day the last one holds at that day's end. -#}
    select
        opportunity_id,
        stage,
        probability,
        entered_date as spell_start,
        coalesce(exited_date, cast('9999-12-31' as date)) as spell_end
    from stage_history
    where exited_date is null
        or exited_date > entered_date
),

deals_open_at_as_of as (
    select
        as_of_dates.as_of_date,
        as_of_dates.next_period_end,
        deals.*
    from deals
    inner join as_of_dates
        on deals.open_from_date <= as_of_dates.as_of_date
        and coalesce(deals.left_open_date, cast('9999-12-31' as date)) > as_of_dates.as_of_date
),

deals_staged as (
    select
        deals_open_at_as_of.*,
        coalesce(stage_spells.stage, deals_open_at_as_of.current_stage, 'unknown') as stage,
        case
            when stage_spells.opportunity_id is null then deals_open_at_as_of.current_probability
            else stage_spells.probability
        end as probability,
        {#- The last stage change on or before the date, or the creation when none came after it. -#}
        case
            when stage_spells.spell_start > deals_open_at_as_of.open_from_date then stage_spells.spell_start
            else deals_open_at_as_of.open_from_date
        end as last_change_date
    from deals_open_at_as_of
    left join stage_spells
        on deals_open_at_as_of.opportunity_id = stage_spells.opportunity_id
        and stage_spells.spell_start <= deals_open_at_as_of.as_of_date
        and stage_spells.spell_end > deals_open_at_as_of.as_of_date
),

pipeline_measured as (
    select
        as_of_date,
        rep_id,
        stage,
        count(*) as open_opportunities,
        sum(amount) as open_amount,
        sum(amount * probability) as weighted_amount,
        count(
            case when {{ dbt.datediff('last_change_date', 'as_of_date', 'day') }} > {{ stale_days }} then 1 end
        ) as stale_opportunities,
        count(case when expected_close_date < as_of_date then 1 end) as overdue_opportunities,
        avg({{ dbt.datediff('created_date', 'as_of_date', 'day') }}) as avg_age_days,
        sum(
            case when close_date > as_of_date and close_date <= next_period_end then amount * probability end
        ) as next_period_weighted_amount
    from deals_staged
    group by as_of_date, rep_id, stage
),

won_in_next_period as (
    {#- Won between the start of the coverage month and the as-of date (nothing at a month end). -#}
    select
        as_of_dates.as_of_date,
        deals.rep_id,
        sum(deals.amount) as won_amount
    from deals
    inner join as_of_dates
        on deals.close_date >= as_of_dates.next_period_start
        and deals.close_date <= as_of_dates.as_of_date
    where deals.status = 'won'
    group by as_of_dates.as_of_date, deals.rep_id
),

quota_in_next_period as (
    {#- Read from the quotas themselves: the coverage month can lie beyond the calendar of the data. -#}
    {{ prorated_quotas('quotas', 'as_of_dates', ['as_of_date'], 'next_period_start', 'next_period_end') }}
),

measured_reps as (
    select distinct rep_id from deals
    union
    select distinct rep_id from quotas where rep_id is not null
),

stages as (
    select distinct stage from deals_staged
),

grid as (
    select
        as_of_dates.as_of_date,
        as_of_dates.is_week_end,
        as_of_dates.is_month_end,
        as_of_dates.is_run_as_of,
        as_of_dates.next_period_start,
        as_of_dates.next_period_end,
        measured_reps.rep_id,
        stages.stage
    from as_of_dates
    cross join measured_reps
    cross join stages
),

joined as (
    select
        grid.*,
        coalesce(pipeline_measured.open_opportunities, 0) as open_opportunities,
        coalesce(pipeline_measured.open_amount, 0) as open_amount,
        coalesce(pipeline_measured.weighted_amount, 0) as weighted_amount,
        coalesce(pipeline_measured.stale_opportunities, 0) as stale_opportunities,
        coalesce(pipeline_measured.overdue_opportunities, 0) as overdue_opportunities,
        pipeline_measured.avg_age_days,
        coalesce(pipeline_measured.next_period_weighted_amount, 0) as next_period_weighted_amount,
        quota_in_next_period.quota as next_period_quota,
        quota_in_next_period.quota - coalesce(won_in_next_period.won_amount, 0) as next_period_quota_remaining
    from grid
    left join pipeline_measured
        on grid.as_of_date = pipeline_measured.as_of_date
        and grid.rep_id = pipeline_measured.rep_id
        and grid.stage = pipeline_measured.stage
    left join quota_in_next_period
        on grid.as_of_date = quota_in_next_period.as_of_date
        and grid.rep_id = quota_in_next_period.rep_id
    left join won_in_next_period
        on grid.as_of_date = won_in_next_period.as_of_date
        and grid.rep_id = won_in_next_period.rep_id
),

final as (
    select
        as_of_date,
        is_week_end,
        is_month_end,
        is_run_as_of,
        rep_id,
        stage,
        cast(open_opportunities as {{ dbt.type_bigint() }}) as open_opportunities,
        {{ money('open_amount') }} as open_amount,
        {{ money('weighted_amount') }} as weighted_amount,
        cast(stale_opportunities as {{ dbt.type_bigint() }}) as stale_opportunities,
        cast(overdue_opportunities as {{ dbt.type_bigint() }}) as overdue_opportunities,
        cast(avg_age_days as double precision) as avg_age_days,
        next_period_start,
        next_period_end,
        {{ money('next_period_weighted_amount') }} as next_period_weighted_amount,
        {{ money('next_period_quota') }} as next_period_quota,
        {{ money('next_period_quota_remaining') }} as next_period_quota_remaining,
        case
            when next_period_quota_remaining > 0
                then {{ safe_divide('next_period_weighted_amount', 'next_period_quota_remaining') }}
        end as pipeline_coverage
    from joined
)

select * from final
