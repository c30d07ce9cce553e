{#
    Revenue of won deals split by product, so product revenue sums to company revenue exactly: each
    line's total_price goes to its product, and whatever the lines do not explain (a won deal without lines,
    or a deal amount that differs from its lines' total) goes to product `unknown`.
#}
with

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

lines as (
    select * from {{ ref('int_opportunity_lines_costed') }}
),

won_deals as (
    select
        opportunity_id,
        close_date,
        coalesce(amount, 0) as amount
    from opportunities
    where status = 'won'
),

line_totals as (
    select
        opportunity_id,
        sum(total_price) as lines_total
    from lines
    group by opportunity_id
),

product_lines as (
    select
        lines.line_id as allocation_id,
        won_deals.opportunity_id,
        won_deals.close_date,
        lines.product_id,
        lines.quantity as units,
        lines.total_price as revenue,
        lines.cost,
        lines.discount_amount,
        false as is_unallocated
    from won_deals
    inner join lines
        on won_deals.opportunity_id = lines.opportunity_id
),

unallocated_remainders as (
    select
        {{ dbt.concat(['won_deals.opportunity_id', "':unallocated'"]) }} as allocation_id,
        won_deals.opportunity_id,
        won_deals.close_date,
        'unknown' as product_id,
        cast(0 as decimal(18, 4)) as units,
        won_deals.amount - coalesce(line_totals.lines_total, 0) as revenue,
        cast(null as decimal(38, 6)) as cost,
        cast(null as decimal(38, 6)) as discount_amount,
        true as is_unallocated
    from won_deals
    left join line_totals
        on won_deals.opportunity_id = line_totals.opportunity_id
    where line_totals.opportunity_id is null
        or line_totals.lines_total <> won_deals.amount
),

unioned as (
    select * from product_lines
    union all
    select * from unallocated_remainders
),

final as (
    select
        allocation_id,
        opportunity_id,
        close_date,
        product_id,
        units,
        cast(revenue as decimal(38, 6)) as revenue,
        cost,
        discount_amount,
        is_unallocated
    from unioned
)

select * from final
