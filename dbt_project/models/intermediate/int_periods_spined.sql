{#
    The calendar every period mart hangs off, so periods without sales still get a row (of zeros).
    It runs from the first to the last date of the data: opportunity and lead creation dates and the close
    dates of closed deals. Open deals' close dates are only expected dates (often in the future), so they do
    not stretch the calendar. Week, month, quarter and year periods are whole calendar periods, so the
    first and last ones can start before / end after the data; `as_of_date` is the date their point-in-time
    figures (open pipeline) are read at: period_end, or the last date of the data for a period still running.
#}
with

opportunities as (
    select * from {{ ref('int_opportunities_unioned') }}
),

leads as (
    select * from {{ ref('int_leads_unioned') }}
),

data_dates as (
    select created_date as data_date from opportunities
    union all
    select close_date as data_date from opportunities where status in ('won', 'lost')
    union all
    select created_date as data_date from leads
),

bounds as (
    select
        min(data_date) as first_date,
        max(data_date) as last_date
    from data_dates
),

numbers as (
    {#- 40,000 days: over a century, far more than any export holds. #}
    {{ dbt.generate_series(40000) }}
),

days as (
    select
        {{ add_days('numbers.generated_number - 1', 'bounds.first_date') }} as date_day,
        bounds.last_date
    from bounds
    cross join numbers
    where numbers.generated_number - 1
        <= {{ days_between('bounds.first_date', 'bounds.last_date') }}
),

periods as (
    {%- for grain in period_grains() %}
    select
        '{{ grain }}' as grain,
        period_start,
        {{ period_end(grain, 'period_start') }} as period_end,
        last_date
    from (
        select
            {{ period_start(grain, 'date_day') }} as period_start,
            max(last_date) as last_date
        from days
        group by 1
    ) as {{ grain }}_periods
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        grain,
        period_start,
        period_end,
        case when period_end > last_date then last_date else period_end end as as_of_date
    from periods
)

select * from final
