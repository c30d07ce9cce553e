{{ config(materialized=incremental_unless_spark(), unique_key='lead_id') }}

with

source as (
    {{ latest_export_rows(source('canonical', 'canonical__leads'), ['lead_id']) }}
),

renamed as (
    select
        {{ text_or_null('lead_id') }} as lead_id,
        {{ parse_date('created_date') }} as created_date,
        {{ text_or_null('lead_source') }} as lead_source,
        {{ text_or_null('status') }} as status,
        {{ parse_boolean('is_converted') }} as is_converted,
        {{ parse_date('converted_date') }} as converted_date,
        {{ text_or_null('converted_account_id') }} as converted_account_id,
        {{ text_or_null('converted_opportunity_id') }} as converted_opportunity_id,
        _source_name,
        _source_file,
        _source_line,
        _loaded_at
    from source
)

select * from renamed
