-- `salesmetrics sql` / `make sql`: the DuckDB shell on the analysts' copy (data/analytics.duckdb), read-only.
-- The pipeline never writes this file in place: each run and publication writes a new copy and renames it over
-- this one, so a shell left open keeps reading the copy it opened and never blocks them (reopen for the new one).
.print 'salesmetrics: the copy of the marts for analysts, read-only. Metric definitions: docs/metrics.md; KPIs: marts.kpi_catalogue.'
.print ''
.print 'Schemas'
.print '  marts      the metric marts, one row per grain x period (x member): sales_by_period, rep_performance,'
.print '             region_performance, segment_performance, funnel_by_source, product_performance,'
.print '             customer_retention, cohort_retention, customer_value, acquisition_cost, campaign_performance,'
.print '             unit_economics, pipeline_snapshot, stage_velocity, kpi_scorecard (actual vs target per KPI);'
.print '             the facts fct_opportunities, fct_opportunity_lines, fct_leads and the dimensions dim_reps,'
.print '             dim_accounts, dim_products, dim_dates; kpi_catalogue (every KPI, its unit and formula);'
.print '             fct_deleted_opportunities: deals deleted in the CRM, in no other mart, and the export that did it.'
.print '             Money is DECIMAL(38,6), exact; rates are fractions 0..1, NULL over a zero denominator.'
.print '  snapshots  published closed periods (salesmetrics publish): kpi_weekly / kpi_monthly, one version per'
.print '             publication (is_current marks the latest), never updated in place.'
.print '             restatements / restated_opportunities: what a later version of a period changed, and why.'
.print ''
.print 'Tables in this copy (rows):'
select schema_name as schema, table_name as "table", estimated_size as "rows"
from duckdb_tables()
where database_name = current_database()
order by schema_name, table_name;
.print "Try:  select period_start, revenue, deals_won, win_rate from marts.sales_by_period where grain = 'month' order by 1;"
.print 'Quit: .quit   Help: .help'
