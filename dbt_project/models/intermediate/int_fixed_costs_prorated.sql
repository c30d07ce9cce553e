{#
    Fixed costs spread evenly over their days, like quotas: a period gets cost x overlapping days / cost
    days, summed per period and cast once to DECIMAL(38,6) (never rounded to the cent). A quarter's 9,100 puts 3,100 on a 31-day month.
#}
with

fixed_costs as (
    select * from {{ ref('stg_files__fixed_costs') }}
),

periods as (
    select * from {{ ref('int_periods_spined') }}
),

cost_period_overlaps as (
    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        fixed_costs.fixed_cost,
        {{ days_between('fixed_costs.period_start', 'fixed_costs.period_end') }} + 1 as cost_days,
        {{ days_between(
            'greatest(fixed_costs.period_start, periods.period_start)',
            'least(fixed_costs.period_end, periods.period_end)'
        ) }} + 1 as overlap_days
    from fixed_costs
    inner join periods
        on fixed_costs.period_start <= periods.period_end
        and fixed_costs.period_end >= periods.period_start
    where fixed_costs.period_end >= fixed_costs.period_start
),

final as (
    select
        grain,
        period_start,
        period_end,
        {{ money('sum(' ~ divide_as_double('fixed_cost * overlap_days', 'cost_days') ~ ')') }} as fixed_costs
    from cost_period_overlaps
    group by grain, period_start, period_end
)

select * from final
