with

source as (
    {{ latest_export_rows(source('canonical', 'canonical__reps'), ['rep_id']) }}
),

renamed as (
    select
        {{ text_or_null('rep_id') }} as rep_id,
        {{ text_or_null('rep_name') }} as rep_name,
        {{ text_or_null('manager_id') }} as manager_id,
        {{ text_or_null('manager_name') }} as manager_name,
        {{ text_or_null('team') }} as team,
        {{ text_or_null('region') }} as region,
        {{ parse_boolean('is_active') }} as is_active,
        _source_name,
        _source_file,
        _source_line
    from source
)

select * from renamed
