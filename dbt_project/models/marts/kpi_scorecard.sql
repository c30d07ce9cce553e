{#
    The scorecard: every KPI's actual beside its target, benchmark and previous period, per grain x period x
    scope (company, team, rep), in long format.

    Targets, first match wins: the targets file (a value, or a growth rate on the same period last year),
    then rules (a scope's quota is its revenue target; quota_attainment's and break_even_coverage's target
    is 1). Attainment is
    actual / target, or target / actual for KPIs where lower is better (kpi_catalogue.higher_is_better);
    status compares attainment with the status_on_track_min / status_at_risk_min vars.
#}
with

actuals as (
    select * from {{ ref('int_scorecard_actuals') }}
),

targets_file as (
    select * from {{ ref('stg_files__targets') }}
),

benchmarks as (
    select * from {{ ref('stg_files__benchmarks') }}
),

kpi_catalogue as (
    select * from {{ ref('kpi_catalogue') }}
),

actuals_with_prior_and_last_year as (
    select
        actuals.*,
        prior.actual as prior_value,
        last_year.actual as last_year_value
    from actuals
    left join actuals as prior
        on prior.grain = actuals.grain
        and prior.scope = actuals.scope
        and prior.scope_id = actuals.scope_id
        and prior.kpi = actuals.kpi
        and prior.period_start = {{ period_start_of('actuals.grain', dbt.dateadd('day', -1, 'actuals.period_start')) }}
    left join actuals as last_year
        on last_year.grain = actuals.grain
        and last_year.scope = actuals.scope
        and last_year.scope_id = actuals.scope_id
        and last_year.kpi = actuals.kpi
        and last_year.period_start = {{ period_start_of('actuals.grain', dbt.dateadd('year', -1, 'actuals.period_start')) }}
),

file_targets_matched as (
    select
        actuals.grain,
        actuals.period_start,
        actuals.scope,
        actuals.scope_id,
        actuals.kpi,
        case
            when targets_file.target_value is not null then targets_file.target_value
            else actuals.last_year_value * (1 + targets_file.growth_rate)
        end as target,
        case when targets_file.target_value is not null then 'targets_file' else 'growth_rule' end as target_source
    from actuals_with_prior_and_last_year as actuals
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
),

benchmarks_ranked as (
    {#- A grain-specific benchmark beats one for every grain. #}
    select
        grains.grain,
        benchmarks.kpi,
        benchmarks.benchmark_value,
        benchmarks.benchmark_label,
        row_number() over (
            partition by grains.grain, benchmarks.kpi
            order by case when benchmarks.grain is null then 1 else 0 end
        ) as preference
    from benchmarks
    inner join (select distinct grain from actuals) as grains
        on benchmarks.grain = grains.grain or benchmarks.grain is null
),

joined as (
    select
        actuals.grain,
        actuals.period_start,
        actuals.period_end,
        actuals.scope,
        actuals.scope_id,
        actuals.scope_name,
        actuals.kpi,
        kpi_catalogue.label as kpi_label,
        kpi_catalogue.unit as kpi_unit,
        coalesce(kpi_catalogue.higher_is_better, true) as higher_is_better,
        actuals.actual,
        cast(targets_resolved.target as decimal(38, 6)) as target,
        targets_resolved.target_source,
        actuals.prior_value,
        cast(benchmarks_ranked.benchmark_value as decimal(38, 6)) as benchmark,
        benchmarks_ranked.benchmark_label
    from actuals_with_prior_and_last_year as actuals
    left join targets_resolved
        on targets_resolved.grain = actuals.grain
        and targets_resolved.period_start = actuals.period_start
        and targets_resolved.scope = actuals.scope
        and targets_resolved.scope_id = actuals.scope_id
        and targets_resolved.kpi = actuals.kpi
    left join benchmarks_ranked
        on benchmarks_ranked.grain = actuals.grain
        and benchmarks_ranked.kpi = actuals.kpi
        and benchmarks_ranked.preference = 1
    left join kpi_catalogue
        on kpi_catalogue.kpi = actuals.kpi
),

attained as (
    select
        *,
        case
            when actual is null or target is null then null
            when higher_is_better then {{ safe_divide('actual', 'target') }}
            else {{ safe_divide('target', 'actual') }}
        end as attainment,
        case when prior_value <> 0 then cast((actual - prior_value) / abs(prior_value) as double) end as change_pct
    from joined
),

final as (
    select
        grain,
        period_start,
        period_end,
        scope,
        scope_id,
        scope_name,
        kpi,
        kpi_label,
        kpi_unit,
        higher_is_better,
        actual,
        target,
        target_source,
        cast(attainment as double) as attainment,
        prior_value,
        change_pct,
        case
            when actual is null or target is null then null
            when attainment is null and higher_is_better then null
            {#- Lower is better and the actual is zero: nothing could be better (e.g. no overdue deals). #}
            when not higher_is_better and actual = 0 then 'on_track'
            when attainment >= {{ var('status_on_track_min') }} then 'on_track'
            when attainment >= {{ var('status_at_risk_min') }} then 'at_risk'
            else 'off_track'
        end as status,
        benchmark,
        benchmark_label
    from attained
)

select * from final
