with

source as (
    {{ latest_export_rows(source('canonical', 'canonical__rep_history'), ['rep_id', 'valid_from']) }}
),

renamed as (
    select
        {{ text_or_null('rep_id') }} as rep_id,
        {{ text_or_null('manager_id') }} as manager_id,
        {{ text_or_null('manager_name') }} as manager_name,
        {{ text_or_null('team') }} as team,
        {{ text_or_null('region') }} as region,
        {{ parse_date('valid_from') }} as valid_from,
        _source_name,
        _source_file,
        _source_line
    from source
)

select * from renamed
