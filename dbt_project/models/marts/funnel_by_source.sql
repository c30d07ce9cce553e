{#
    Per lead source and grain x period, each record by its own lead source (`unknown` when blank): leads on
    their created_date, opportunities created on theirs, closed deals and revenue on close_date. A lead
    counts as converted if it is converted now, whenever that happened.
#}
with

source_funnel as (
    select * from {{ ref('int_source_funnel_summed') }}
),

final as (
    select
        grain,
        period_start,
        period_end,
        lead_source,
        cast(leads_created as {{ dbt.type_bigint() }}) as leads_created,
        cast(leads_converted as {{ dbt.type_bigint() }}) as leads_converted,
        {{ safe_divide('leads_converted', 'leads_created') }} as lead_conversion_rate,
        cast(opportunities_created as {{ dbt.type_bigint() }}) as opportunities_created,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        cast(deals_lost as {{ dbt.type_bigint() }}) as deals_lost,
        {{ money('lost_amount') }} as lost_amount,
        {{ win_rates() }},
        {{ money('revenue') }} as revenue
    from source_funnel
)

select * from final
