with

source as (
    {{ latest_export_rows(source('salesforce', 'salesforce__campaign'), [adapter.quote('Id')]) }}
),

renamed as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as campaign_id,
        nullif({{ adapter.quote('Name') }}, '') as campaign_name,
        {{ text_or_null(adapter.quote('Type')) }} as channel,
        {{ text_or_null(adapter.quote('Status')) }} as status,
        {{ parse_date(adapter.quote('StartDate')) }} as start_date,
        {{ parse_date(adapter.quote('EndDate')) }} as end_date,
        {{ parse_money(adapter.quote('BudgetedCost')) }} as budgeted_cost,
        {{ parse_money(adapter.quote('ActualCost')) }} as actual_cost,
        coalesce({{ parse_boolean(adapter.quote('IsActive')) }}, false) as is_active,
        {{ parse_timestamp(adapter.quote('CreatedDate')) }} as created_at,
        _source_file,
        _source_line
    from source
)

select * from renamed
