with

leads as (
    select * from {{ ref('int_leads_unioned') }}
),

final as (
    select
        lead_id,
        created_at,
        created_date,
        coalesce(lead_source, 'unknown') as lead_source,
        status,
        is_converted,
        converted_date,
        converted_account_id,
        converted_opportunity_id,
        owner_id,
        company,
        industry,
        country,
        _source_file,
        _source_line
    from leads
)

select * from final
