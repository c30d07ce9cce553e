{#
    Opportunities from every source in canonical columns: the Salesforce Opportunity export and the canonical
    opportunities of mapped exports, less the deals deleted in the CRM (int_opportunities_deleted). Amounts at
    DECIMAL(38,6), exact.
    Order-style exports (Northwind) have no deal amount: a canonical opportunity without an amount whose lines
    are known gets the sum of its lines' total_price (quantity x unit_price where a line has no total).

    Currencies: amount is in the reporting currency (var reporting_currency, from publish: reporting_currency
    in salesmetrics.yml); amount_original and currency_original keep what the export said. A deal in another
    currency converts at the rate valid on its close date (int_currency_rates: the dated rate covering the
    day, else the static rate) of its currency and of the reporting currency, both in units per base unit:
    amount = amount_original x rate_reporting / rate_original, exact to the 6th decimal (macros/math.sql).
    _loaded_at: the load of the deal's row (or of its newest line, for an amount summed from lines).
    A deal without a currency (single-currency exports) is in the reporting currency. A deal whose currency
    has no rate is quarantined by the audit (rule CurrencyIsoCode__has_rate); should one still get here (its
    rates re-exported without it), its amount is NULL and rate_basis 'missing': never summed unconverted.
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

rates as (
    select * from {{ ref('int_currency_rates') }}
),

deleted as (
    select * from {{ ref('int_opportunities_deleted') }}
),

line_totals as (
    select
        opportunity_id,
        sum(coalesce(total_price, quantity * unit_price)) as lines_total,
        max(_loaded_at) as lines_loaded_at
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
        currency_iso_code as currency_code,
        'salesforce' as _source_name,
        _source_file,
        _source_line,
        _loaded_at
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
        canonical_opportunities.currency as currency_code,
        canonical_opportunities._source_name,
        canonical_opportunities._source_file,
        canonical_opportunities._source_line,
        {#- the amount may come from the lines #}
        greatest(canonical_opportunities._loaded_at, line_totals.lines_loaded_at) as _loaded_at
    from canonical_opportunities
    left join line_totals
        on canonical_opportunities.opportunity_id = line_totals.opportunity_id
),

unioned as (
    select * from salesforce_renamed
    union all
    {#- An id in a Salesforce export and in a mapped export is one record exported twice: the Data Export's wins. #}
    select * from canonical_renamed
    where opportunity_id not in (select opportunity_id from salesforce_renamed where opportunity_id is not null)
),

{# Deals deleted in the CRM leave the facts (int_opportunities_deleted says which and why). #}
kept as (
    select * from unioned
    where not exists (select 1 from deleted where deleted.opportunity_id = unioned.opportunity_id)
),

{%- set reporting_currency = var('reporting_currency', 'USD') | upper %}

with_currency as (
    select
        *,
        coalesce(upper(currency_code), '{{ reporting_currency }}') as currency_original
    from kept
),

rated as (
    select
        with_currency.*,
        coalesce(dated_original.conversion_rate, static_original.conversion_rate) as rate_original,
        coalesce(dated_reporting.conversion_rate, static_reporting.conversion_rate) as rate_reporting,
        case
            when dated_original.conversion_rate is not null then 'dated'
            when static_original.conversion_rate is not null then 'static'
        end as original_basis
    from with_currency
    -- noqa: disable=LT02
    {%- for side, currency in [('original', 'with_currency.currency_original'), ('reporting', "'" ~ reporting_currency ~ "'")] %}
    left join rates as dated_{{ side }}
        on dated_{{ side }}.rate_basis = 'dated'
        and with_currency.currency_original <> '{{ reporting_currency }}'
        and dated_{{ side }}.currency = {{ currency }}
        and with_currency.close_date >= dated_{{ side }}.valid_from
        and (dated_{{ side }}.valid_to is null or with_currency.close_date < dated_{{ side }}.valid_to)
    left join rates as static_{{ side }}
        on static_{{ side }}.rate_basis = 'static'
        and with_currency.currency_original <> '{{ reporting_currency }}'
        and static_{{ side }}.currency = {{ currency }}
    {%- endfor %}
    -- noqa: enable=LT02
),

final as (
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
        case
            when currency_original = '{{ reporting_currency }}' then amount
            when rate_original is not null and rate_reporting is not null
                then {{ convert_money('amount', 'rate_original', 'rate_reporting') }}
        end as amount,
        amount as amount_original,
        currency_original,
        case
            when currency_original = '{{ reporting_currency }}' then 'reporting_currency'
            when rate_original is null or rate_reporting is null then 'missing'
            else original_basis
        end as rate_basis,
        rate_original,
        rate_reporting,
        probability,
        lead_source,
        type,
        campaign_id,
        region,
        _source_name,
        _source_file,
        _source_line,
        _loaded_at
    from rated
)

select * from final
