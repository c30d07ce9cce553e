{#
    Quotas spread evenly over their days onto every period of the calendar (macros/prorated_quotas.sql): a
    quarterly quota of 90,000 over 91 days gives a 30-day month 90,000 x 30 / 91.
#}
with

quotas as (
    select * from {{ ref('int_quotas_dated') }}
),

periods as (
    select * from {{ ref('int_periods_spined') }}
),

final as (
    {{ prorated_quotas('quotas', 'periods', ['grain', 'period_start']) }}
)

select * from final
