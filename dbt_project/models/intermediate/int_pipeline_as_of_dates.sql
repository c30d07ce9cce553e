{#
    The dates pipeline_snapshot reads the open pipeline at: every week end and month end of the calendar
    (int_periods_spined: the period's as_of_date, so the running week and month read at the data's last date)
    and the run's as-of date (var as_of_date, else the last date of the data); none after the run's as-of
    date. Coverage looks at the calendar month of the day after the as-of date: the next month at a month
    end, the rest of the running month otherwise.
#}
{%- set pinned_as_of = var('as_of_date') %}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

run_as_of as (
    select
        coalesce(
            cast({{ 'null' if pinned_as_of is none else "'" ~ pinned_as_of ~ "'" }} as date),
            max(period_end)
        ) as as_of_date
    from periods
    where grain = 'day'
),

as_of_candidates as (
    select
        periods.as_of_date,
        periods.grain = 'week' and periods.as_of_date = periods.period_end as is_week_end,
        periods.grain = 'month' and periods.as_of_date = periods.period_end as is_month_end,
        false as is_run_as_of
    from periods
    where periods.grain in ('week', 'month')
    union all
    select
        as_of_date,
        false as is_week_end,
        false as is_month_end,
        true as is_run_as_of
    from run_as_of
),

final as (
    select
        as_of_candidates.as_of_date,
        bool_or(as_of_candidates.is_week_end) as is_week_end,
        bool_or(as_of_candidates.is_month_end) as is_month_end,
        bool_or(as_of_candidates.is_run_as_of) as is_run_as_of,
        {{ period_start('month', add_days(1, 'as_of_candidates.as_of_date')) }} as next_period_start,
        {{ period_end('month', period_start('month', add_days(1, 'as_of_candidates.as_of_date'))) }}
            as next_period_end
    from as_of_candidates
    cross join run_as_of
    where as_of_candidates.as_of_date <= run_as_of.as_of_date
    group by as_of_candidates.as_of_date
)

select * from final
