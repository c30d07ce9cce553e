{#
    revenue, deals_won, deals_lost and lost_amount as docs/metrics.md defines them, written once for every
    mart that aggregates closed deals by close date (company, rep, region, lead source), so the definitions
    cannot drift apart. Expects columns status and amount in the rows being grouped.
#}
{% macro closed_deal_measures() -%}
sum(case when status = 'won' then amount end) as revenue,
        count(case when status = 'won' then 1 end) as deals_won,
        count(case when status = 'lost' then 1 end) as deals_lost,
        sum(case when status = 'lost' then amount end) as lost_amount
{%- endmacro %}

{#
    The two win rates from those measures (rows already coalesced to 0): by count, and by amount (a deal
    weighs its amount). Fractions 0..1, NULL when nothing closed (or the closed amount is 0).
#}
{% macro win_rates(revenue='revenue', deals_won='deals_won', deals_lost='deals_lost', lost_amount='lost_amount') -%}
{{ safe_divide(deals_won, deals_won ~ ' + ' ~ deals_lost) }} as win_rate,
        {{ safe_divide(revenue, revenue ~ ' + ' ~ lost_amount) }} as win_rate_by_amount
{%- endmacro %}
