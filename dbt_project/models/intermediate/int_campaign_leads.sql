{#
    The leads each campaign brought: one row per lead that has a campaign. The Lead export carries no
    CampaignId (pipelines/lib/ingest/salesforce.py; Salesforce keeps lead-campaign links in CampaignMember, which is
    not exported), so the one link there is is the conversion: a lead belongs to the campaign of the
    opportunity it converted into (Lead.ConvertedOpportunityId -> Opportunity.CampaignId). Unconverted leads
    therefore have no campaign. Should a lead-campaign link arrive, this model is the one place to read it;
    the marts already credit an opportunity without a campaign to its originating lead's campaign.
#}
with

leads as (
    select * from {{ ref('fct_leads') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_attributed') }}
),

final as (
    select
        leads.lead_id,
        opportunities.campaign_id,
        leads.created_date,
        leads.converted_opportunity_id
    from leads
    inner join opportunities
        on leads.converted_opportunity_id = opportunities.opportunity_id
    where opportunities.campaign_id is not null
)

select * from final
