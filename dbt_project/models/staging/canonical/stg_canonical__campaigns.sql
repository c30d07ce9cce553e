with

source as (
    {{ latest_export_rows(source('canonical', 'canonical__campaigns'), ['campaign_id']) }}
),

renamed as (
    select
        {{ text_or_null('campaign_id') }} as campaign_id,
        {{ text_or_null('campaign_name') }} as campaign_name,
        {{ text_or_null('channel') }} as channel,
        {{ parse_date('start_date') }} as start_date,
        {{ parse_date('end_date') }} as end_date,
        {{ parse_money('actual_cost') }} as actual_cost,
        _source_name,
        _source_file,
        _source_line
    from source
)

select * from renamed
