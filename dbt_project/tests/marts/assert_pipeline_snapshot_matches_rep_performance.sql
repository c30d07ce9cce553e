{#
    At every month end, pipeline_snapshot summed over stages gives, per rep, rep_performance's open,
    overdue and open-amount figures for that month (grain month, read at period_end): the two marts share
    one definition of "open". Amounts agree exactly (money is never rounded in the marts). Returns the
    rep-months where they differ.
#}
with

pipeline as (
    select
        as_of_date,
        rep_id,
        sum(open_opportunities) as open_opportunities,
        sum(open_amount) as open_amount,
        count(*) as stage_rows,
        sum(overdue_opportunities) as overdue_opportunities
    from {{ ref('pipeline_snapshot') }}
    where is_month_end
    group by as_of_date, rep_id
),

month_ends as (
    select distinct as_of_date from pipeline
),

rep_months as (
    {#- A rep's open figures sit on its row of today's org; a former org's row holds zeros. #}
    select
        period_end,
        rep_id,
        sum(open_opportunities) as open_opportunities,
        sum(open_pipeline_amount) as open_pipeline_amount,
        sum(overdue_opportunities) as overdue_opportunities
    from {{ ref('rep_performance') }}
    where grain = 'month'
    group by period_end, rep_id
),

compared as (
    select
        rep_months.period_end,
        rep_months.rep_id,
        rep_months.open_opportunities as rep_performance_open,
        coalesce(pipeline.open_opportunities, 0) as pipeline_open,
        rep_months.open_pipeline_amount as rep_performance_amount,
        coalesce(pipeline.open_amount, 0) as pipeline_amount,
        pipeline.stage_rows,
        rep_months.overdue_opportunities as rep_performance_overdue,
        coalesce(pipeline.overdue_opportunities, 0) as pipeline_overdue
    from rep_months
    inner join month_ends
        on rep_months.period_end = month_ends.as_of_date
    left join pipeline
        on rep_months.period_end = pipeline.as_of_date
        and rep_months.rep_id = pipeline.rep_id
)

select *
from compared
where rep_performance_open <> pipeline_open
    or pipeline_amount <> rep_performance_amount
    or rep_performance_overdue <> pipeline_overdue
