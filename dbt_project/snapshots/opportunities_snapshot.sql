{#
    Stage history for exports without OpportunityHistory: each build records the latest-export state of
    every opportunity, and a new version whenever its stage, status, amount or expected close date changed
    since the previous build. It only sees the state at build time (several exports landing before one
    build collapse into one version), so int_stage_history_from_exports, which reads every export kept in
    raw, is the primary reconstruction; this snapshot keeps history even if raw were ever pruned (and is read
    only for a deal raw no longer holds: its build-time dates depend on how exports were batched into runs).
    Schema `history`: `snapshots` is reserved for the published KPI snapshots.
#}
{% snapshot opportunities_snapshot %}

{{
    config(
        schema='history',
        unique_key='opportunity_id',
        strategy='check',
        check_cols=['stage', 'status', 'amount', 'close_date'],
    )
}}

select
    opportunity_id,
    stage,
    status,
    amount,
    probability,
    close_date,
    created_at,
    last_stage_change_date,
    _source_file
from {{ ref('stg_salesforce__opportunities') }}

{% endsnapshot %}
