{#
    Every KPI's actual value per grain x period x scope, in long format, from the metric marts that define
    it (one definition per KPI: the scorecard never recomputes a metric a mart already holds). Teams and reps
    are rolled up from rep_performance's rows (sums, and rates recomputed from the sums): a team's closed
    deals are those that closed while their rep was in it (the org at close), its quota and open pipeline
    those of the reps in it today; a rep's figures add up its rows of every org. The company's quota and
    pipeline figures are the sums over all reps. Fixed costs are spread by days onto periods like quotas.
#}
with

sales_by_period as (
    select * from {{ ref('sales_by_period') }}
),

rep_performance as (
    select * from {{ ref('rep_performance') }}
),

funnel_by_source as (
    select * from {{ ref('funnel_by_source') }}
),

customer_retention as (
    select * from {{ ref('customer_retention') }}
),

acquisition_cost as (
    select * from {{ ref('acquisition_cost') }}
),

unit_economics as (
    select * from {{ ref('unit_economics') }}
),

fixed_costs as (
    select * from {{ ref('int_fixed_costs_prorated') }}
),

reps_rolled_up as (
    {#- Sums per team, per rep and, in the same pass, over all reps (grouping sets); the averages are weighted
        by deals so a team's figure is its deals' average. Rows without a team count only in the company's and
        their rep's sums. #}
    select
        grain,
        period_start,
        period_end,
        case
            when grouping(team) = 0 then 'team'
            when grouping(rep_id) = 0 then 'rep'
            else 'company'
        end as scope,
        coalesce(team, rep_id) as scope_key,
        rep_name,
        sum(revenue) as revenue,
        sum(deals_won) as deals_won,
        sum(deals_lost) as deals_lost,
        {{ safe_divide('sum(deals_won)', 'sum(deals_won + deals_lost)') }} as win_rate,
        {{ safe_divide('sum(revenue)', 'sum(revenue + lost_amount)') }} as win_rate_by_amount,
        {{ divide_money('sum(revenue)', 'sum(deals_won)') }} as avg_deal_size,
        {{ safe_divide('sum(avg_sales_cycle_days * deals_won)', 'sum(case when avg_sales_cycle_days is not null then deals_won end)') }} as avg_sales_cycle_days,
        sum(quota) as quota,
        {{ safe_divide('sum(revenue)', 'sum(quota)') }} as quota_attainment,
        sum(open_opportunities) as open_opportunities,
        sum(open_pipeline_amount) as open_pipeline_amount,
        sum(stale_opportunities) as stale_opportunities,
        sum(overdue_opportunities) as overdue_opportunities
    from rep_performance
    {#- sqlfluff's DuckDB dialect cannot parse grouping sets yet (make lint): hence the noqa. #}
    group by grouping sets (  -- noqa: PRS
        (grain, period_start, period_end, team),
        (grain, period_start, period_end, rep_id, rep_name),
        (grain, period_start, period_end)
    )
),

teams_rolled_up as (
    select * from reps_rolled_up where scope = 'team' and scope_key is not null
),

reps_summed as (
    select * from reps_rolled_up where scope = 'rep'
),

company_rolled_up as (
    select * from reps_rolled_up where scope = 'company'
),

funnel_summed as (
    select
        grain,
        period_start,
        period_end,
        sum(leads_created) as leads_created,
        {{ safe_divide('sum(leads_converted)', 'sum(leads_created)') }} as lead_conversion_rate
    from funnel_by_source
    group by grain, period_start, period_end
),

acquisition_all_channels as (
    select * from acquisition_cost where channel = 'all'
),

break_even as (
    {#- Break-even only where the margin is known and positive: a period losing money on every sale has none. #}
    select
        fixed_costs.grain,
        fixed_costs.period_start,
        fixed_costs.period_end,
        fixed_costs.fixed_costs,
        case
            when sales_by_period.gross_margin_pct > 0
                then {{ money("fixed_costs.fixed_costs / sales_by_period.gross_margin_pct") }}
        end as break_even_revenue,
        sales_by_period.revenue
    from fixed_costs
    left join sales_by_period
        on fixed_costs.grain = sales_by_period.grain
        and fixed_costs.period_start = sales_by_period.period_start
),

break_even_covered as (
    select
        *,
        {{ safe_divide('revenue', 'break_even_revenue') }} as break_even_coverage
    from break_even
),

unioned as (
    {{ kpi_rows('sales_by_period', 'company', "'company'", "'Company'", [
        'revenue', 'deals_won', 'deals_lost', 'win_rate', 'win_rate_by_amount', 'avg_deal_size',
        'avg_sales_cycle_days',
        'opportunities_created', 'pipeline_created_amount', 'new_customers', 'new_customer_revenue',
        'returning_customer_revenue', 'active_customers', 'gross_margin', 'gross_margin_pct']) }}
    union all
    {{ kpi_rows('company_rolled_up', 'company', "'company'", "'Company'", [
        'quota', 'quota_attainment', 'open_opportunities', 'open_pipeline_amount', 'stale_opportunities',
        'overdue_opportunities']) }}
    union all
    {{ kpi_rows('funnel_summed', 'company', "'company'", "'Company'", ['leads_created', 'lead_conversion_rate']) }}
    union all
    {{ kpi_rows('customer_retention', 'company', "'company'", "'Company'", ['retention_rate', 'churn_rate']) }}
    union all
    {{ kpi_rows('acquisition_all_channels', 'company', "'company'", "'Company'", ['marketing_spend', 'cac']) }}
    union all
    {{ kpi_rows('unit_economics', 'company', "'company'", "'Company'", ['historical_clv', 'predicted_clv', 'ltv_to_cac']) }}
    union all
    {{ kpi_rows('break_even_covered', 'company', "'company'", "'Company'", [
        'fixed_costs', 'break_even_revenue', 'break_even_coverage']) }}
    union all
    {{ kpi_rows('teams_rolled_up', 'team', 'scope_key', 'scope_key', [
        'revenue', 'deals_won', 'deals_lost', 'win_rate', 'win_rate_by_amount', 'avg_deal_size',
        'avg_sales_cycle_days', 'quota',
        'quota_attainment', 'open_opportunities', 'open_pipeline_amount', 'stale_opportunities',
        'overdue_opportunities']) }}
    union all
    {{ kpi_rows('reps_summed', 'rep', 'scope_key', 'rep_name', [
        'revenue', 'deals_won', 'deals_lost', 'win_rate', 'win_rate_by_amount', 'avg_deal_size',
        'avg_sales_cycle_days', 'quota',
        'quota_attainment', 'open_opportunities', 'open_pipeline_amount', 'stale_opportunities',
        'overdue_opportunities']) }}
),

final as (
    select * from unioned
)

select * from final
