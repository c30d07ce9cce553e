with

source as (
    {{ latest_export_rows(source('canonical', 'canonical__quotas'), ['rep_id', 'period_start']) }}
),

renamed as (
    select
        {{ text_or_null('rep_id') }} as rep_id,
        {{ parse_date('period_start') }} as period_start,
        {{ parse_date('period_end') }} as period_end,
        {{ parse_money('quota_amount') }} as quota_amount,
        _source_name,
        _source_file,
        _source_line
    from source
)

select * from renamed
