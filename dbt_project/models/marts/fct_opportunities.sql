with

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

final as (
    select
        opportunity_id,
        opportunity_name,
        account_id,
        owner_id,
        rep_id,
        created_at,
        created_date,
        close_date,
        stage,
        status,
        amount,
        amount_original,
        currency_original,
        rate_basis,
        probability,
        lead_source,
        type,
        campaign_id,
        region,
        region_source,
        country,
        manager_id,
        manager_name,
        team,
        rep_region,
        org_as_of,
        is_first_won_deal,
        sales_cycle_days,
        deal_size_band,
        _source_file,
        _source_line
    from opportunities
)

select * from final
