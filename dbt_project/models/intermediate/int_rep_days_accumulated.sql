{#
    Open, stale and overdue deals per rep at the end of every day, for the marts to read at each period's
    as_of_date. Testing every deal against every day is a range join of 1M deals x 1,100 days; instead each
    deal emits a +1 when a state starts and a -1 when it ends, the deltas are summed per rep and day, and a
    running sum over the days gives the count on each day.

    - open: from created_date until close_date (a deal closing on a day is no longer open that day); deals
      still open never leave.
    - overdue: open with an expected close_date before the day. Only deals still open have an expected close
      date; a deal that later closed was, at every earlier day, not overdue by what we know.
    - stale: open with no stage change (OpportunityHistory), or without history no creation, in the
      stale_days days up to the day. After each change at day a the deal turns stale on a + stale_days + 1
      and is fresh again at its next change (or leaves at close).
    - a deal without a created date (a mapped export may give none): an open one is open from the last day of
      the calendar only (it is in the current pipeline, since when is unknown); a closed one is never open
      (macros/open_interval.sql).
#}
{%- set stale_days = var('stale_days') | int %}
with

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

stage_history as (
    select * from {{ ref('int_stage_history_unioned') }}
),

periods as (
    select * from {{ ref('int_periods_spined') }}
),

calendar_end as (
    select max(period_end) as last_day
    from periods
    where grain = 'day'
),

deals as (
    {#- The open interval (macros/open_interval.sql), shared with pipeline_snapshot. #}
    select
        opportunity_id,
        rep_id,
        {{ open_interval('(select last_day from calendar_end)') }},
        case when status = 'open' then close_date end as expected_close_date,
        coalesce(amount, 0) as amount
    from opportunities
),

open_events as (
    select
        rep_id,
        open_from_date as event_date,
        1 as open_delta,
        amount as amount_delta,
        0 as stale_delta,
        0 as overdue_delta
    from deals
    union all
    select
        rep_id,
        left_open_date as event_date,
        -1 as open_delta,
        -amount as amount_delta,
        0 as stale_delta,
        0 as overdue_delta
    from deals
    where left_open_date is not null
),

overdue_events as (
    select
        rep_id,
        case
            when expected_close_date < open_from_date then open_from_date
            else {{ add_days(1, 'expected_close_date') }}
        end as event_date,
        0 as open_delta,
        0 as amount_delta,
        0 as stale_delta,
        1 as overdue_delta
    from deals
    where expected_close_date is not null
),

activities as (
    select
        opportunity_id,
        open_from_date as activity_date
    from deals
    union all
    select
        opportunity_id,
        entered_date as activity_date
    from stage_history
    where entered_date is not null
),

stale_spells as (
    select
        deals.rep_id,
        deals.open_from_date,
        deals.left_open_date,
        {{ add_days(stale_days + 1, 'activities.activity_date') }} as stale_from,
        lead(activities.activity_date) over (
            partition by activities.opportunity_id
            order by activities.activity_date
        ) as next_activity_date
    from activities
    inner join deals
        on activities.opportunity_id = deals.opportunity_id
),

stale_spells_bounded as (
    select
        rep_id,
        case when stale_from < open_from_date then open_from_date else stale_from end as stale_from,
        case
            when next_activity_date is null then left_open_date
            when left_open_date is null then next_activity_date
            when next_activity_date < left_open_date then next_activity_date
            else left_open_date
        end as stale_until
    from stale_spells
),

stale_events as (
    select
        rep_id,
        stale_from as event_date,
        0 as open_delta,
        0 as amount_delta,
        1 as stale_delta,
        0 as overdue_delta
    from stale_spells_bounded
    where stale_until is null or stale_from < stale_until
    union all
    select
        rep_id,
        stale_until as event_date,
        0 as open_delta,
        0 as amount_delta,
        -1 as stale_delta,
        0 as overdue_delta
    from stale_spells_bounded
    where stale_from < stale_until
),

events_unioned as (
    select * from open_events
    union all
    select * from overdue_events
    union all
    select * from stale_events
),

calendar as (
    select
        min(period_start) as first_day,
        max(period_end) as last_day
    from periods
    where grain = 'day'
),

deltas_per_rep_and_day as (
    {#- An event before the calendar counts from its first day on; one after it (or without a date) never
        reaches a day of it. -#}
    select
        events_unioned.rep_id,
        case
            when events_unioned.event_date < calendar.first_day then calendar.first_day
            else events_unioned.event_date
        end as event_date,
        sum(events_unioned.open_delta) as open_delta,
        sum(events_unioned.amount_delta) as amount_delta,
        sum(events_unioned.stale_delta) as stale_delta,
        sum(events_unioned.overdue_delta) as overdue_delta
    from events_unioned
    cross join calendar
    where events_unioned.event_date <= calendar.last_day
    group by
        events_unioned.rep_id,
        case
            when events_unioned.event_date < calendar.first_day then calendar.first_day
            else events_unioned.event_date
        end
),

rep_days as (
    {#- Every rep on every day with that day's deltas (zeros without events), so the running sums can be
        read on days without events too: one row per rep and day, the window's only input. -#}
    select
        reps.rep_id,
        periods.period_start as date_day,
        coalesce(deltas.open_delta, 0) as open_delta,
        coalesce(deltas.amount_delta, 0) as amount_delta,
        coalesce(deltas.stale_delta, 0) as stale_delta,
        coalesce(deltas.overdue_delta, 0) as overdue_delta
    from (select distinct rep_id from deals) as reps
    cross join periods
    left join deltas_per_rep_and_day as deltas
        on reps.rep_id = deltas.rep_id
        and periods.period_start = deltas.event_date
    where periods.grain = 'day'
),

running_totals as (
    select
        rep_id,
        date_day,
        {#- sqlfluff misplaces the indent of a Jinja loop inside a select list: LT02 off for the loop. #}
        -- noqa: disable=LT02
        {%- for measure in ['open', 'amount', 'stale', 'overdue'] %}
        sum({{ measure }}_delta) over (
            partition by rep_id
            order by date_day
            rows between unbounded preceding and current row
        ) as {{ measure }}_running{{ ',' if not loop.last }}
        {%- endfor %}
    from rep_days  -- noqa: enable=LT02
),

final as (
    select
        rep_id,
        date_day,
        cast(open_running as {{ dbt.type_bigint() }}) as open_opportunities,
        {{ money('amount_running') }} as open_pipeline_amount,
        cast(stale_running as {{ dbt.type_bigint() }}) as stale_opportunities,
        cast(overdue_running as {{ dbt.type_bigint() }}) as overdue_opportunities
    from running_totals
)

select * from final
