{#
    The open pipeline at past dates, measured for pipeline_snapshot: one row per as-of date
    (int_pipeline_as_of_dates) x rep x stage with at least one deal open at that date.

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

final as (
    select
        as_of_date,
        rep_id,
        stage,
        count(*) as open_opportunities,
        sum(amount) as open_amount,
        sum(amount * probability) as weighted_amount,
        count(
            case when {{ days_between('last_change_date', 'as_of_date') }} > {{ stale_days }} then 1 end
        ) as stale_opportunities,
        count(case when expected_close_date < as_of_date then 1 end) as overdue_opportunities,
        avg({{ days_between('created_date', 'as_of_date') }}) as avg_age_days,
        sum(
            case when close_date > as_of_date and close_date <= next_period_end then amount * probability end
        ) as next_period_weighted_amount
    from deals_staged
    group by as_of_date, rep_id, stage
)

select * from final
