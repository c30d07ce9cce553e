{#
    Opportunities from every source in canonical columns: the Salesforce Opportunity export and the canonical
    opportunities of mapped exports. Amounts at DECIMAL(38,6), exact.
    Order-style exports (Northwind) have no deal amount: a canonical opportunity without an amount whose lines
    are known gets the sum of its lines' total_price (quantity x unit_price where a line has no total).
#}
with

salesforce_opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

canonical_opportunities as (
    select * from {{ ref('stg_canonical__opportunities') }}
),

lines as (
    select * from {{ ref('int_opportunity_lines_unioned') }}
),

line_totals as (
    select
        opportunity_id,
        sum(coalesce(total_price, quantity * unit_price)) as lines_total
    from lines
    where opportunity_id is not null
    group by opportunity_id
),

salesforce_renamed as (
    select
        opportunity_id,
        account_id,
        owner_id,
        opportunity_name,
        created_at,
        created_date,
        close_date,
        stage,
        status,
        cast(amount as decimal(38, 6)) as amount,
        probability,
        lead_source,
        type,
        campaign_id,
        region,
        'salesforce' as _source_name,
        _source_file,
        _source_line
    from salesforce_opportunities
),

canonical_renamed as (
    select
        canonical_opportunities.opportunity_id,
        canonical_opportunities.account_id,
        canonical_opportunities.owner_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_name,
        cast(canonical_opportunities.created_date as {{ dbt.type_timestamp() }}) as created_at,
        canonical_opportunities.created_date,
        canonical_opportunities.close_date,
        canonical_opportunities.stage,
        canonical_opportunities.status,
        cast(
            coalesce(canonical_opportunities.amount, line_totals.lines_total) as decimal(38, 6)
        ) as amount,
        canonical_opportunities.probability,
        canonical_opportunities.lead_source,
        canonical_opportunities.type,
        canonical_opportunities.campaign_id,
        canonical_opportunities.region,
        canonical_opportunities._source_name,
        canonical_opportunities._source_file,
        canonical_opportunities._source_line
    from canonical_opportunities
    left join line_totals
        on canonical_opportunities.opportunity_id = line_totals.opportunity_id
),

final as (
    select * from salesforce_renamed
    union all
    {#- An id in a Salesforce export and in a mapped export is one record exported twice: the Data Export's wins. #}
    select * from canonical_renamed
    where opportunity_id not in (select opportunity_id from salesforce_renamed where opportunity_id is not null)
)

select * from final
