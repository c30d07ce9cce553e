{#
    Customer acquisition cost per channel and grain (month, quarter, year) x period, from the spend and new
    customers of int_channel_acquisitions_by_period (channels are lead sources mapped through var
    lead_source_channels; channel `all` sums them, so it equals sales_by_period's new_customers).
    cac is the exact quotient to six decimals, half away from zero, in integer arithmetic (divide_money), so a
    tie never rounds the wrong way through a binary double; it is not rounded to the cent. cac is NULL, never
    0.00, when the data holds no placeable marketing spend at all (no campaign with a cost and a start date):
    the customers did cost something, the data just does not say what; cac_null_reason says why cac is NULL.
#}
with

acquisition_measured as (
    select * from {{ ref('int_channel_acquisitions_by_period') }}
),

spend_daily as (
    select * from {{ ref('int_campaign_spend_daily') }}
),

spend_recorded as (
    select count(*) > 0 as has_spend
    from spend_daily
),

final as (
    select
        acquisition_measured.grain,
        acquisition_measured.period_start,
        acquisition_measured.period_end,
        acquisition_measured.channel,
        {{ money('acquisition_measured.marketing_spend') }} as marketing_spend,
        cast(acquisition_measured.new_customers as {{ dbt.type_bigint() }}) as new_customers,
        case
            when acquisition_measured.new_customers = 0 or not spend_recorded.has_spend then null
            else {{ divide_money('acquisition_measured.marketing_spend', 'acquisition_measured.new_customers') }}
        end as cac,
        case
            when acquisition_measured.new_customers = 0 then 'no new customers in the period'
            when not spend_recorded.has_spend
                then 'no marketing spend in the data: no campaign has an actual cost and a start date'
        end as cac_null_reason,
        {{ money('acquisition_measured.new_customer_revenue') }} as new_customer_revenue,
        {{ safe_divide(
            'acquisition_measured.new_customer_revenue - acquisition_measured.marketing_spend',
            'acquisition_measured.marketing_spend'
        ) }} as roi
    from acquisition_measured
    cross join spend_recorded
)

select * from final
