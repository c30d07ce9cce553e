{#
    One row per opportunity credited to a campaign: the opportunity's own campaign (Opportunity.CampaignId,
    Salesforce's primary campaign source), else the campaign of the lead it was converted from. When several
    leads converted into the same opportunity, the earliest created one with a campaign decides (ties by
    lead id), so every opportunity is credited to at most one campaign and campaign revenue never counts a
    deal twice.
#}
with

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

campaign_leads as (
    select * from {{ ref('int_campaign_leads') }}
),

originating_lead_campaigns as (
    select
        converted_opportunity_id as opportunity_id,
        campaign_id
    from (
        select
            converted_opportunity_id,
            campaign_id,
            row_number() over (
                partition by converted_opportunity_id
                order by created_date, lead_id
            ) as lead_rank
        from campaign_leads
        where converted_opportunity_id is not null
    ) as ranked_leads
    where lead_rank = 1
),

attributed as (
    select
        opportunities.opportunity_id,
        coalesce(opportunities.campaign_id, originating_lead_campaigns.campaign_id) as campaign_id,
        case
            when opportunities.campaign_id is not null then 'opportunity'
            else 'lead'
        end as attributed_through,
        opportunities.created_date,
        opportunities.close_date,
        opportunities.status,
        opportunities.amount
    from opportunities
    left join originating_lead_campaigns
        on opportunities.opportunity_id = originating_lead_campaigns.opportunity_id
),

final as (
    select
        opportunity_id,
        campaign_id,
        attributed_through,
        created_date,
        close_date,
        status,
        amount
    from attributed
    where campaign_id is not null
)

select * from final
