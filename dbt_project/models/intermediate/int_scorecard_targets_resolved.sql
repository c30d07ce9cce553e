{#
    The target of each KPI per grain x period x scope that has one, first match wins: the targets file (a
    value, or a growth rate on the same period last year: growth_rule), then rules (a scope's quota is its
    revenue target; quota_attainment's and break_even_coverage's target is 1). A targets file row names
    its KPI, so a target applies to either win rate (win_rate by count, win_rate_by_amount by amount).
#}
with

actuals as (
    select * from {{ ref('int_scorecard_actuals_compared') }}
),

targets_file as (
    select * from {{ ref('stg_files__targets') }}
),

file_targets_matched as (
    select
        actuals.grain,
        actuals.period_start,
        actuals.scope,
        actuals.scope_id,
        actuals.kpi,
        coalesce(targets_file.target_value, actuals.last_year_value * (1 + targets_file.growth_rate)) as target,
        case when targets_file.target_value is not null then 'targets_file' else 'growth_rule' end as target_source
    from actuals
    inner join targets_file
        on targets_file.kpi = actuals.kpi
        and targets_file.scope = actuals.scope
        and targets_file.grain = actuals.grain
        and targets_file.period_start = actuals.period_start
        and (actuals.scope = 'company' or targets_file.scope_id = actuals.scope_id)
),

rule_targets as (
    select
        grain,
        period_start,
        scope,
        scope_id,
        'revenue' as kpi,
        actual as target,
        'quota' as target_source
    from actuals
    where kpi = 'quota' and actual > 0
    union all
    select
        grain,
        period_start,
        scope,
        scope_id,
        'quota_attainment' as kpi,
        1 as target,
        'quota' as target_source
    from actuals
    where kpi = 'quota' and actual > 0
    union all
    {#- Coverage of 1 is exactly break-even: at or above it the period cleared its fixed costs. #}
    select
        grain,
        period_start,
        scope,
        scope_id,
        'break_even_coverage' as kpi,
        1 as target,
        'break_even' as target_source
    from actuals
    where kpi = 'break_even_coverage' and actual is not null
),

targets_resolved as (
    select
        coalesce(file_targets_matched.grain, rule_targets.grain) as grain,
        coalesce(file_targets_matched.period_start, rule_targets.period_start) as period_start,
        coalesce(file_targets_matched.scope, rule_targets.scope) as scope,
        coalesce(file_targets_matched.scope_id, rule_targets.scope_id) as scope_id,
        coalesce(file_targets_matched.kpi, rule_targets.kpi) as kpi,
        coalesce(file_targets_matched.target, rule_targets.target) as target,
        case
            when file_targets_matched.target is not null then file_targets_matched.target_source
            else rule_targets.target_source
        end as target_source
    from file_targets_matched
    full outer join rule_targets
        on file_targets_matched.grain = rule_targets.grain
        and file_targets_matched.period_start = rule_targets.period_start
        and file_targets_matched.scope = rule_targets.scope
        and file_targets_matched.scope_id = rule_targets.scope_id
        and file_targets_matched.kpi = rule_targets.kpi
)

select * from targets_resolved
