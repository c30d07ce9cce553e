with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__campaign'), ['"Id"']) }}
),

renamed as (
    select
        {{ text_or_null('"Id"') }} as campaign_id,
        nullif("Name", '') as campaign_name,
        {{ text_or_null('"Type"') }} as channel,
        {{ text_or_null('"Status"') }} as status,
        {{ parse_date('"StartDate"') }} as start_date,
        {{ parse_date('"EndDate"') }} as end_date,
        {{ parse_money('"BudgetedCost"') }} as budgeted_cost,
        {{ parse_money('"ActualCost"') }} as actual_cost,
        coalesce({{ parse_boolean('"IsActive"') }}, false) as is_active,
        {{ parse_timestamp('"CreatedDate"') }} as created_at,
        _source_file,
        _source_line
    from source
)

select * from renamed
