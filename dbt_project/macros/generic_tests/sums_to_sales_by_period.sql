{#
    A breakdown mart partitions the company's deals: per grain x period its rows add up to sales_by_period.
    Revenue exactly (money is exact DECIMAL(38,6) in every mart, never rounded per row), and the named counts
    exactly. A period on one side only fails.
    Returns the periods that do not add up.
#}
{% test sums_to_sales_by_period(model, counts=[]) %}

with

sales as (
    select * from {{ ref('sales_by_period') }}
),

parts as (
    select
        grain,
        period_start,
        {%- for count in counts %}
        sum({{ count }}) as {{ count }},
        {%- endfor %}
        sum(revenue) as revenue
    from {{ model }}
    group by grain, period_start
)

select
    coalesce(sales.grain, parts.grain) as grain,
    coalesce(sales.period_start, parts.period_start) as period_start,
    sales.revenue,
    parts.revenue as parts_revenue
from sales
full outer join parts
    on sales.grain = parts.grain
    and sales.period_start = parts.period_start
where sales.grain is null
    or coalesce(parts.revenue, 0) <> sales.revenue
    {%- for count in counts %}
    or coalesce(parts.{{ count }}, 0) <> sales.{{ count }}
    {%- endfor %}

{% endtest %}
