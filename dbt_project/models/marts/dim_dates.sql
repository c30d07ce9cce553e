with

days as (
    select * from {{ ref('int_periods_spined') }}
    where grain = 'day'
),

final as (
    select
        period_start as date_day,
        {{ period_start('week', 'period_start') }} as week_start,
        {{ period_start('month', 'period_start') }} as month_start,
        {{ period_start('quarter', 'period_start') }} as quarter_start,
        {{ period_start('year', 'period_start') }} as year_start,
        cast({{ iso_day_of_week('period_start') }} as integer) as iso_day_of_week,
        {{ iso_day_of_week('period_start') }} >= 6 as is_weekend
    from days
)

select * from final
