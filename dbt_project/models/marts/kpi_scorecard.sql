{#
    The scorecard: every KPI's actual beside its target, benchmark and previous period, per grain x period x
    scope (company, team, rep), in long format.

    Targets come from int_scorecard_targets_resolved (the targets file, then rules). Attainment is
    actual / target, or target / actual for KPIs where lower is better (kpi_catalogue.higher_is_better);
    status compares attainment with the status_on_track_min / status_at_risk_min vars.
#}
with

actuals as (
    select * from {{ ref('int_scorecard_actuals_compared') }}
),

targets_resolved as (
    select * from {{ ref('int_scorecard_targets_resolved') }}
),

benchmarks as (
    select * from {{ ref('stg_files__benchmarks') }}
),

kpi_catalogue as (
    select * from {{ ref('kpi_catalogue') }}
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
    inner join (select distinct grain from actuals) as grains  -- noqa: ST05
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
    from actuals
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
        case when prior_value <> 0 then cast(actual - prior_value as double) / abs(prior_value) end as change_pct
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
