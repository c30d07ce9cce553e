{#
    won + lost + open = total opportunities, and no deal falls outside the calendar: for every grain, the won
    and lost deals booked in sales_by_period plus the deals still open equal the opportunities created in
    it (deals with a created date: a mapped export may give none), which equal the deals in fct_opportunities
    and in staging.
#}
{{ config(meta={'dagster': {'ref': {'name': 'sales_by_period'}}}) }}

with

sales as (
    select * from {{ ref('sales_by_period') }}
),

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

staged_opportunities as (
    select * from {{ ref('int_opportunities_unioned') }}
),

totals_per_grain as (
    select
        grain,
        sum(deals_won) as deals_won,
        sum(deals_lost) as deals_lost,
        sum(opportunities_created) as opportunities_created
    from sales
    group by grain
),

opportunity_counts as (
    select
        count(*) as opportunities,
        count(case when status = 'open' then 1 end) as open_opportunities,
        count(created_date) as dated_opportunities,
        (select count(*) from staged_opportunities) as staged_opportunities
    from opportunities
)

select
    totals_per_grain.grain,
    totals_per_grain.deals_won,
    totals_per_grain.deals_lost,
    opportunity_counts.open_opportunities,
    totals_per_grain.opportunities_created,
    opportunity_counts.opportunities,
    opportunity_counts.staged_opportunities
from totals_per_grain
cross join opportunity_counts
where totals_per_grain.deals_won + totals_per_grain.deals_lost + opportunity_counts.open_opportunities
    <> opportunity_counts.opportunities
    or totals_per_grain.opportunities_created <> opportunity_counts.dated_opportunities
    or opportunity_counts.opportunities <> opportunity_counts.staged_opportunities
