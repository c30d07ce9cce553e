{#
    Each campaign's actual cost spread evenly over its days, start_date..end_date inclusive, in millionths
    (the 6th decimal of DECIMAL(38,6) money) that add up exactly to the cost. Rounding is largest-remainder:
    every day gets the cost / days floored to the millionth, and the leftover millionths (fewer than the number
    of days) go one each to the campaign's first days; as every day's exact share is the same, the tie goes to
    the earliest days. E.g. 100.00 over 3 days is 33.333334, 33.333333, 33.333333; 1,000.00 over 10 days is
    100.00 a day.
    A campaign without an end date (or one before its start) is a one-day campaign on its start date. A
    campaign without a start date or without an actual cost (planned ones) has no spend to spread.
#}
with

campaigns as (
    select * from {{ ref('int_campaign_sources_unioned') }}
),

numbers as (
    {#- 40,000 days: over a century, far longer than any campaign. #}
    {{ dbt.generate_series(40000) }}
),

dated_campaigns as (
    select
        campaign_id,
        start_date,
        case
            when end_date is null or end_date < start_date then start_date
            else end_date
        end as end_date,
        cast({{ money('actual_cost') }} * 1000000 as {{ wide_integer_type() }}) as cost_micros
    from campaigns
    where start_date is not null
        and actual_cost is not null
),

campaign_days as (
    select
        campaign_id,
        start_date,
        cost_micros,
        {{ days_between('start_date', 'end_date') }} + 1 as campaign_days
    from dated_campaigns
),

daily_shares as (
    select
        campaign_id,
        start_date,
        campaign_days,
        cost_micros,
        {{ integer_divide('cost_micros', 'campaign_days') }} as base_micros
    from campaign_days
),

spread as (
    select
        daily_shares.campaign_id,
        {{ add_days('numbers.generated_number - 1', 'daily_shares.start_date') }} as spend_date,
        numbers.generated_number as day_number,
        daily_shares.campaign_days,
        daily_shares.base_micros
        + case
            when numbers.generated_number <= daily_shares.cost_micros - daily_shares.base_micros * daily_shares.campaign_days
                then 1
            else 0
        end as spend_micros
    from daily_shares
    inner join numbers
        on numbers.generated_number <= daily_shares.campaign_days
),

final as (
    select
        campaign_id,
        spend_date,
        cast(day_number as {{ dbt.type_bigint() }}) as day_number,
        cast(campaign_days as {{ dbt.type_bigint() }}) as campaign_days,
        {{ money('cast(spend_micros as decimal(38, 0)) * cast(0.000001 as decimal(7, 6))') }} as spend
    from spread
)

select * from final
