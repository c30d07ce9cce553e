{#
    The open pipeline as it stood at past dates: one row per as-of date (int_pipeline_as_of_dates: week ends,
    month ends and the run's as-of date) x rep x stage. Every rep (deal owner or quota holder) gets a row
    for every stage an open deal was ever in, zeros where none. Open deals, their stage at the date and the
    measures come from int_pipeline_measured; coverage compares them with the rep's quota for the coverage
    month less what the rep already won in it.
#}
with

as_of_dates as (
    select * from {{ ref('int_pipeline_as_of_dates') }}
),

pipeline_measured as (
    {#- The weighted sums (scale 12) rounded to money here, once per measured row, rather than on every row of
        the grid below (a third more, zeros): DuckDB's DECIMAL(38) rounding is a slow 128-bit division. -#}
    select
        as_of_date,
        rep_id,
        stage,
        open_opportunities,
        open_amount,
        {{ money('weighted_amount') }} as weighted_amount,
        stale_opportunities,
        overdue_opportunities,
        avg_age_days,
        {{ money('next_period_weighted_amount') }} as next_period_weighted_amount
    from {{ ref('int_pipeline_measured') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

quotas as (
    select * from {{ ref('int_quotas_dated') }}
),

won_in_next_period as (
    {#- Won between the start of the coverage month and the as-of date (nothing at a month end). -#}
    select
        as_of_dates.as_of_date,
        opportunities.rep_id,
        sum(coalesce(opportunities.amount, 0)) as won_amount
    from opportunities
    inner join as_of_dates
        on opportunities.close_date >= as_of_dates.next_period_start
        and opportunities.close_date <= as_of_dates.as_of_date
    where opportunities.status = 'won'
    group by as_of_dates.as_of_date, opportunities.rep_id
),

quota_in_next_period as (
    {#- Read from the quotas themselves: the coverage month can lie beyond the calendar of the data. -#}
    {{ prorated_quotas('quotas', 'as_of_dates', ['as_of_date'], 'next_period_start', 'next_period_end') }}
),

measured_reps as (
    select distinct rep_id from opportunities
    union
    select distinct rep_id from quotas where rep_id is not null
),

stages as (
    select distinct stage from pipeline_measured
),

grid as (
    select
        as_of_dates.*,
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
        cast(avg_age_days as double) as avg_age_days,
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
