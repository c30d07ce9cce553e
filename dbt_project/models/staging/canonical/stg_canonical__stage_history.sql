with

source as (
    {{ latest_export_rows(
        source('canonical', 'canonical__stage_history'), ['opportunity_id', 'stage', 'entered_at']
    ) }}
),

renamed as (
    select
        {{ text_or_null('opportunity_id') }} as opportunity_id,
        {{ text_or_null('stage') }} as stage,
        {{ parse_timestamp('entered_at') }} as entered_at,
        {{ parse_date('entered_at') }} as entered_date,
        _source_name,
        _source_file,
        _source_line,
        _loaded_at
    from source
)

select * from renamed
