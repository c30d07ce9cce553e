{#
    Every scorecard actual (int_scorecard_actuals) beside the same KPI and scope's value in the previous
    period of the same grain (prior_value) and in the same period one year earlier (last_year_value, what a
    growth target applies to). NULL where that period has no row.
#}
with

actuals as (
    select * from {{ ref('int_scorecard_actuals') }}
),

actuals_with_prior_and_last_year as (
    select
        actuals.*,
        previous.actual as prior_value,
        last_year.actual as last_year_value
    from actuals
    left join actuals as previous
        on previous.grain = actuals.grain
        and previous.scope = actuals.scope
        and previous.scope_id = actuals.scope_id
        and previous.kpi = actuals.kpi
        and previous.period_start = {{ period_start_of('actuals.grain', dbt.dateadd('day', -1, 'actuals.period_start')) }}
    left join actuals as last_year
        on last_year.grain = actuals.grain
        and last_year.scope = actuals.scope
        and last_year.scope_id = actuals.scope_id
        and last_year.kpi = actuals.kpi
        and last_year.period_start = {{ period_start_of('actuals.grain', dbt.dateadd('year', -1, 'actuals.period_start')) }}
)

select * from actuals_with_prior_and_last_year  -- noqa: AM04
