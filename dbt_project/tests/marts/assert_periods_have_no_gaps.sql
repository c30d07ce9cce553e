{# Each grain's periods follow one another without gaps or overlaps, and all grains cover the same days. #}
with

sales as (
    select * from {{ ref('sales_by_period') }}
),

with_previous as (
    select
        grain,
        period_start,
        period_end,
        lag(period_end) over (partition by grain order by period_start) as previous_period_end
    from sales
),

gaps as (
    select
        grain,
        period_start,
        previous_period_end
    from with_previous
    where previous_period_end is not null
        and period_start <> {{ add_days(1, 'previous_period_end') }}
),

coverage as (
    select
        grain,
        min(period_start) as first_start,
        max(period_end) as last_end
    from sales
    group by grain
),

days as (
    select * from coverage where grain = 'day'
),

uncovered as (
    select
        coverage.grain,
        coverage.first_start as period_start,
        coverage.last_end as previous_period_end
    from coverage
    cross join days
    where coverage.first_start > days.first_start
        or coverage.last_end < days.last_end
)

select * from gaps
union all
select * from uncovered
