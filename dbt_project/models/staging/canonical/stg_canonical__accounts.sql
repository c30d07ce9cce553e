{# Canonical rows are already normalised text (pipelines/lib/ingest/mapping): staging only casts. #}
{{ config(materialized=incremental_unless_spark(), unique_key='account_id') }}

with

source as (
    {{ latest_export_rows(source('canonical', 'canonical__accounts'), ['account_id']) }}
),

renamed as (
    select
        {{ text_or_null('account_id') }} as account_id,
        {{ text_or_null('account_name') }} as account_name,
        {{ text_or_null('industry') }} as industry,
        {{ text_or_null('segment') }} as segment,
        {{ text_or_null('country') }} as country,
        {{ text_or_null('state') }} as state,
        {{ text_or_null('region') }} as region,
        {{ parse_date('created_date') }} as created_date,
        _source_name,
        _source_file,
        _source_line,
        _loaded_at
    from source
)

select * from renamed
