{#
    Sales to customers per grain x period x member of a dimension (region x country, segment x industry):
    revenue, deals won and lost, lost amount, active and new customers, average deal size and both win rates,
    as docs/metrics.md defines them for the dimension marts. Every member seen on any deal (`deals`) gets a row in every period
    of int_periods_spined (`periods`), zeros where it sold nothing; measures come from `closed_deals` (won and
    lost deals with account_id, close_date, status, amount, is_first_won_deal and the member columns).
#}
{% macro member_sales_by_period(periods, deals, closed_deals, members) -%}
    {%- set keys = members | join(', ') -%}
    select
        grain,
        period_start,
        period_end,
        {{ keys }},
        {{ money('revenue') }} as revenue,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        cast(deals_lost as {{ dbt.type_bigint() }}) as deals_lost,
        {{ money('lost_amount') }} as lost_amount,
        cast(active_customers as {{ dbt.type_bigint() }}) as active_customers,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        {{ divide_money('revenue', 'deals_won') }} as avg_deal_size,
        {{ win_rates() }}
    from (
        select
            member_periods.grain,
            member_periods.period_start,
            member_periods.period_end,
            {%- for member in members %}
            member_periods.{{ member }},
            {%- endfor %}
            coalesce(measured.revenue, 0) as revenue,
            coalesce(measured.deals_won, 0) as deals_won,
            coalesce(measured.deals_lost, 0) as deals_lost,
            coalesce(measured.lost_amount, 0) as lost_amount,
            coalesce(measured.active_customers, 0) as active_customers,
            coalesce(measured.new_customers, 0) as new_customers
        from (
            select
                {{ periods }}.grain,
                {{ periods }}.period_start,
                {{ periods }}.period_end,
                members.*
            from {{ periods }}
            cross join (select distinct {{ keys }} from {{ deals }}) as members
        ) as member_periods
        left join (
            select
                grain,
                period_start,
                {{ keys }},
                {{ closed_deal_measures() }},
                count(distinct case when status = 'won' then account_id end) as active_customers,
                count(case when status = 'won' and is_first_won_deal then 1 end) as new_customers
            from ({{ rows_per_grain(closed_deals, 'close_date') }}) as closed_deals_per_grain
            group by grain, period_start, {{ keys }}
        ) as measured
            on member_periods.grain = measured.grain
            and member_periods.period_start = measured.period_start
            {%- for member in members %}
            and member_periods.{{ member }} = measured.{{ member }}
            {%- endfor %}
    ) as member_periods_joined
{%- endmacro %}
