"""The company's own files beside the CRM export (docs/inputs.md): goals, benchmarks and costs. Not Salesforce
objects, but landed and audited the same way."""

from __future__ import annotations

from pipelines.lib.ingest.objects import ExportObject

# Not a Salesforce object: the team's own goals, written beside the export (docs/inputs.md; used by kpi_scorecard).
TARGETS = ExportObject(
    name="targets",
    table="files__targets",
    columns=("kpi", "scope", "scope_id", "grain", "period_start", "target_value", "growth_rate"),
    required=("kpi", "scope", "grain", "period_start"),
    description="KPI targets: a value or a growth rate on the same period last year.",
)

BENCHMARKS = ExportObject(
    name="benchmarks",
    table="files__benchmarks",
    columns=("kpi", "grain", "benchmark_value", "benchmark_label"),
    required=("kpi", "benchmark_value"),
    description="Industry or competitor values per KPI, shown beside the targets (optional; empty grain: all grains).",
)

FIXED_COSTS = ExportObject(
    name="fixed_costs",
    table="files__fixed_costs",
    columns=("period_start", "period_end", "fixed_cost", "description"),
    required=("period_start", "period_end", "fixed_cost"),
    description="Fixed costs per period (optional), spread by days onto the scorecard periods for break-even revenue.",
)

# The company's own files beside the CRM export: goals, benchmarks and costs.
FILE_OBJECTS: tuple[ExportObject, ...] = (TARGETS, BENCHMARKS, FIXED_COSTS)
