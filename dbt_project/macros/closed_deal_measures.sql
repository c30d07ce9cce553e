{#
    revenue, deals_won and deals_lost as docs/metrics.md defines them, written once for every mart that
    aggregates closed deals by close date (company, rep, region, lead source), so the definitions
    cannot drift apart. Expects columns status and amount in the rows being grouped.
#}
{% macro closed_deal_measures() -%}
sum(case when status = 'won' then amount end) as revenue,
        count(case when status = 'won' then 1 end) as deals_won,
        count(case when status = 'lost' then 1 end) as deals_lost
{%- endmacro %}
