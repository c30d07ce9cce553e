{#
    Stage changes from every source in canonical columns (Salesforce OpportunityHistory, mapped exports), with
    the probability the history row records where the export has one (Salesforce does; mapped stage history not).
    A view on DuckDB: its readers (int_stage_history_resolved, incremental there) read a few deals' rows.
#}
{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}
with

salesforce_history as (
    select * from {{ ref('stg_salesforce__opportunity_history') }}
),

canonical_history as (
    select * from {{ ref('stg_canonical__stage_history') }}
),

salesforce_renamed as (
    select
        history_id,
        opportunity_id,
        stage,
        entered_at,
        entered_date,
        probability,
        'salesforce' as _source_name,
        _source_file,
        _source_line,
        _loaded_at
    from salesforce_history
),

canonical_renamed as (
    select
        {{ dbt.concat(['_source_name', "':'", 'opportunity_id', "':'", 'cast(entered_at as ' ~ dbt.type_string() ~ ')']) }} as history_id,
        opportunity_id,
        stage,
        entered_at,
        entered_date,
        cast(null as decimal(9, 6)) as probability,
        _source_name,
        _source_file,
        _source_line,
        _loaded_at
    from canonical_history
),

final as (
    select * from salesforce_renamed
    union all
    select * from canonical_renamed
)

select * from final
