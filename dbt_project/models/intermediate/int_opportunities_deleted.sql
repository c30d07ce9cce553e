{#
    Opportunities deleted in the CRM, one row each, with the export that deleted them. Two signals:
    - is_deleted: the deal's latest exported row says IsDeleted = true (Salesforce queryAll and Data Loader
      exports carry deleted deals with the flag; the Data Export leaves them out). The export of that row
      deleted it.
    - missing from a complete export: with var opportunity_exports_complete (ingest: opportunity_exports_complete
      in salesmetrics.yml), each Opportunity export of a source (Salesforce, each mapped source) is the whole
      list of its deals, so a deal absent from the newest one was deleted by the first export after the last
      one that held it. A deal whose row in the newest export was quarantined is not absent: it is kept as its
      previous export had it. Off by default: delta and partial exports leave out deals that still exist.
    A deal exported again later (restored from the recycle bin) is no longer deleted: its latest row decides.
    An id in a Salesforce export and in a mapped export is the Salesforce record (int_opportunities_unioned).
    Exports are ordered as staging orders them: by load time, then file name.
#}
{%- set complete = var('opportunity_exports_complete', false) | string | lower in ['true', '1', 'yes'] %}
{#- every export of each source, read only with complete exports (named here so dbt always knows the sources) #}
{%- set salesforce_exports = source('salesforce', 'salesforce__opportunity') %}
{%- set canonical_exports = source('canonical', 'canonical__opportunities') %}

with

salesforce_opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

canonical_opportunities as (
    select * from {{ ref('stg_canonical__opportunities') }}
),

latest_rows as (
    select
        opportunity_id,
        'salesforce' as source_name,
        account_id,
        owner_id,
        opportunity_name,
        created_date,
        close_date,
        stage,
        status,
        amount as amount_original,
        currency_iso_code as currency_original,
        is_deleted,
        _source_file,
        _loaded_at
    from salesforce_opportunities
    where opportunity_id is not null
    union all
    select
        opportunity_id,
        _source_name as source_name,
        account_id,
        owner_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_name,
        created_date,
        close_date,
        stage,
        status,
        amount as amount_original,
        currency as currency_original,
        false as is_deleted,
        _source_file,
        _loaded_at
    from canonical_opportunities
    where opportunity_id is not null
        and opportunity_id not in (
            select opportunity_id from salesforce_opportunities
            where opportunity_id is not null
        )
),

flagged as (
    select
        *,
        'is_deleted' as deleted_by,
        _source_file as deleted_in_file,
        _loaded_at as deleted_at
    from latest_rows
    where is_deleted
),

{%- if complete %}

exports as (
    select distinct
        'salesforce' as source_name,
        _source_file,
        _source_sha256,
        _loaded_at
    from {{ salesforce_exports }}
    union all
    select distinct
        _source_name as source_name,
        _source_file,
        _source_sha256,
        _loaded_at
    from {{ canonical_exports }}
),

newest_exports as (
    select *
    from (
        select
            *,
            row_number() over (partition by source_name order by _loaded_at desc, _source_file desc) as recency
        from exports
    ) as ranked
    where recency = 1
),

{# rows of the newest exports the audit quarantined: those deals are not missing, only their new row is #}
quarantined_in_newest as (
    select {{ json_text('quarantined.record', '$.Id') }} as opportunity_id
    from quarantine.salesforce__opportunity as quarantined
    inner join newest_exports
        on newest_exports.source_name = 'salesforce'
        and quarantined._source_sha256 = newest_exports._source_sha256
    union all
    select {{ json_text('quarantined.record', '$.opportunity_id') }} as opportunity_id
    from quarantine.canonical__opportunities as quarantined
    inner join newest_exports
        on newest_exports.source_name <> 'salesforce'
        and quarantined._source_sha256 = newest_exports._source_sha256
),

absent as (
    select latest_rows.*
    from latest_rows
    inner join newest_exports
        on latest_rows.source_name = newest_exports.source_name
    where not latest_rows.is_deleted
        and (
            latest_rows._loaded_at < newest_exports._loaded_at
            or (
                latest_rows._loaded_at = newest_exports._loaded_at
                and latest_rows._source_file < newest_exports._source_file
            )
        )
        and latest_rows.opportunity_id not in (
            select opportunity_id from quarantined_in_newest
            where opportunity_id is not null
        )
),

missing as (
    {#- flagged's columns, in its order (no `select * exclude`: DuckDB's, not Spark's) #}
    select
        opportunity_id,
        source_name,
        account_id,
        owner_id,
        opportunity_name,
        created_date,
        close_date,
        stage,
        status,
        amount_original,
        currency_original,
        is_deleted,
        _source_file,
        _loaded_at,
        deleted_by,
        deleted_in_file,
        deleted_at
    from (
        select
            absent.*,
            'missing from a complete export' as deleted_by,
            later._source_file as deleted_in_file,
            later._loaded_at as deleted_at,
            {#- the first export after the last one that held the deal #}
            row_number() over (
                partition by absent.opportunity_id order by later._loaded_at, later._source_file
            ) as export_rank
        from absent
        inner join exports as later
            on absent.source_name = later.source_name
            and (
                later._loaded_at > absent._loaded_at
                or (later._loaded_at = absent._loaded_at and later._source_file > absent._source_file)
            )
    ) as ranked
    where export_rank = 1
),
{%- endif %}

deleted as (
    select * from flagged
    {%- if complete %}
    union all
    select * from missing
    {%- endif %}
),

final as (
    select
        opportunity_id,
        source_name,
        account_id,
        owner_id,
        opportunity_name,
        created_date,
        close_date,
        stage,
        status,
        amount_original,
        currency_original,
        deleted_by,
        deleted_in_file,
        deleted_at,
        _source_file as last_row_file
    from deleted
)

select * from final
