{#
    The canonical opportunity: one row per deal with everything the marts slice by resolved once.
    - rep_id: the owner at close (exports carry no owner history); `unknown` when the deal has no owner, so
      rep breakdowns still add up to company revenue.
    - region: the deal's own, else the account's Region__c (often blank), else the owner's Division at close
      (rep_region below).
    - is_first_won_deal: the account's earliest won close_date; on a tie the smaller opportunity_id wins, so
      exactly one deal per customer is its first.
    - deal_size_band: thresholds from vars, or the 33rd / 67th percentile of all won amounts.
    - manager_id, manager_name, team, rep_region: the owner's org when a closed deal closed (the span of
      int_rep_org_history, rebuilt from repeated User exports, its close date falls in; org_as_of = 'close');
      today's org (int_reps_joined_to_managers; org_as_of = 'current') for open deals and where no export of
      the owner dates from the close date or before.
    - stage: exports mix cases ('Closed Won', 'CLOSED WON', 'closed won'); each stage is spelled the way
      most deals spell it, so grouping by stage does not split one stage in three.
#}
{#-
    Incremental on DuckDB (macros/replace_keys.sql): a build computes only the deals attributed_replaced_deals
    names (macros/opportunities_attributed.sql); the thresholds, stage spellings and first won deals still come
    from every deal. On Spark, a table.
#}
{{ config(
    materialized=incremental_unless_spark('table'), incremental_strategy='replace_keys',
    unique_key='opportunity_id', replaced_keys='attributed_replaced_deals',
    pre_hook='{{ materialize_replaced_keys() }}', post_hook='{{ drop_replaced_keys() }}'
) }}

with

opportunities as (
    select * from {{ ref('int_opportunities_unioned') }}
),

accounts as (
    select * from {{ ref('int_accounts_unioned') }}
),

reps as (
    select * from {{ ref('int_reps_joined_to_managers') }}
),

org_history as (
    select * from {{ ref('int_rep_org_history') }}
),

deal_size_thresholds as (
    {{ deal_size_thresholds('opportunities') }}
),

canonical_stages as (
    {{ canonical_stage_spellings('opportunities') }}
),

{#- The owner's region when the deal closed (from the org history), else today's. #}
{%- set owner_region = 'case when org_history.rep_id is not null then org_history.region else reps.region end' %}

opportunities_joined as (
    select
        opportunities.opportunity_id,
        opportunities.opportunity_name,
        opportunities.account_id,
        opportunities.owner_id,
        coalesce(opportunities.owner_id, 'unknown') as rep_id,
        opportunities.created_at,
        opportunities.created_date,
        opportunities.close_date,
        canonical_stages.stage,
        opportunities.status,
        opportunities.amount,
        opportunities.amount_original,
        opportunities.currency_original,
        opportunities.rate_basis,
        opportunities.probability,
        coalesce(opportunities.lead_source, 'unknown') as lead_source,
        opportunities.type,
        opportunities.campaign_id,
        coalesce(opportunities.region, accounts.region, {{ owner_region }}, 'unknown') as region,
        case
            when opportunities.region is not null then 'opportunity'
            when accounts.region is not null then 'account'
            when {{ owner_region }} is not null then 'owner'
            else 'unknown'
        end as region_source,
        coalesce(accounts.country, 'unknown') as country,
        case when org_history.rep_id is not null then org_history.manager_id else reps.manager_id end as manager_id,
        case when org_history.rep_id is not null then org_history.manager_name else reps.manager_name end
            as manager_name,
        case when org_history.rep_id is not null then org_history.team else reps.team end as team,
        {{ owner_region }} as rep_region,
        case when org_history.rep_id is not null then 'close' else 'current' end as org_as_of,
        opportunities._source_file,
        opportunities._source_line,
        opportunities._loaded_at
    from opportunities
    left join accounts
        on opportunities.account_id = accounts.account_id
    left join reps
        on opportunities.owner_id = reps.rep_id
    {#- The closed deal's owner as the key (NULL for open deals: no match) and an open end as a far date: one
        equality and two ranges, a hash join. With the deal's status and the open end as conditions of their
        own, DuckDB planned a nested loop of every deal against every org spell. #}
    left join org_history
        on case when opportunities.status in ('won', 'lost') then opportunities.owner_id end = org_history.rep_id
        and opportunities.close_date >= org_history.valid_from
        and opportunities.close_date < coalesce(org_history.valid_to, cast('9999-12-31' as date))
    left join canonical_stages
        on lower(opportunities.stage) = canonical_stages.stage_key
    where {{ only_replaced('opportunities.opportunity_id') }}
),

{# over every deal of the accounts built (the same columns as opportunities_joined's) #}
first_won_deals as (
    select
        opportunity_id,
        row_number() over (
            partition by account_id
            order by close_date, opportunity_id
        ) = 1 as is_first_won_deal
    from opportunities
    where status = 'won'
        and account_id is not null
        and {{ 'account_id in (select account_id from opportunities_joined)' if is_incremental() else 'true' }}
),

{#- a BIGINT on both engines (Spark's datediff is an INT) #}
{%- set cycle_days = days_between('opportunities_joined.created_date', 'opportunities_joined.close_date') %}

attributed as (
    select
        opportunities_joined.*,
        coalesce(first_won_deals.is_first_won_deal, false) as is_first_won_deal,
        case
            when opportunities_joined.status in ('won', 'lost')
                then cast({{ cycle_days }} as {{ dbt.type_bigint() }})
        end as sales_cycle_days,
        {{ deal_size_band('opportunities_joined.amount', 'opportunities_joined.status') }} as deal_size_band
    from opportunities_joined
    cross join deal_size_thresholds
    left join first_won_deals
        on opportunities_joined.opportunity_id = first_won_deals.opportunity_id
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
        _source_line,
        _loaded_at,
        {{ inputs_digest(attributed_inputs()) }} as _inputs_digest
    from attributed
)

select * from final
