{#- int_opportunities_attributed's pieces computed over every deal, shared with its replaced_keys macro. -#}

{#- deal-size thresholds: the vars, else the 33rd / 67th percentile of all won amounts -#}
{% macro deal_size_thresholds(opportunities) -%}
    {%- set small_max = var('deal_size_small_max') %}
    {%- set large_min = var('deal_size_large_min') %}
    select
        coalesce(
            cast({{ 'null' if small_max is none else small_max }} as decimal(38, 6)),
            {{ percentile('amount', 0.33) }}
        ) as small_max,
        coalesce(
            cast({{ 'null' if large_min is none else large_min }} as decimal(38, 6)),
            {{ percentile('amount', 0.67) }}
        ) as large_min
    from {{ opportunities }}
    where status = 'won'
{%- endmacro %}

{#- a won deal's band against deal_size_thresholds (a relation or CTE of that name, joined); indented for a select list -#}
{% macro deal_size_band(amount, status) -%}
    case
            when {{ status }} <> 'won' or {{ amount }} is null then null
            when {{ amount }} <= deal_size_thresholds.small_max then 'small'
            when {{ amount }} >= deal_size_thresholds.large_min then 'large'
            else 'medium'
        end
{%- endmacro %}

{#- each stage (any case) spelled the way most deals spell it -#}
{% macro canonical_stage_spellings(opportunities) -%}
    select
        stage_key,
        stage
    from (
        select
            stage_key,
            stage,
            row_number() over (partition by stage_key order by deals desc, stage asc) as spelling_rank
        from (
            select
                lower(stage) as stage_key,
                stage,
                count(*) as deals
            from {{ opportunities }}
            where stage is not null
            group by lower(stage), stage
        ) as stage_spellings
    ) as ranked_spellings
    where spelling_rank = 1
{%- endmacro %}

{#- the small inputs every deal's row depends on (_inputs_digest) -#}
{% macro attributed_inputs() -%}
    {{ return([
        ref('int_accounts_unioned'), ref('int_reps_joined_to_managers'), ref('int_rep_org_history'),
        ref('int_currency_rates')
    ]) }}
{%- endmacro %}

{#-
    The deals an incremental build of int_opportunities_attributed computes again (DuckDB): every deal when the
    small inputs changed; deals loaded since the model's newest row and deals that left the model (deleted);
    every won deal of the accounts those deals are or were with (is_first_won_deal); deals whose deal-size band
    or stage spelling, computed over all deals, moved; mapped deals whose amount (summed from lines) moved.
-#}
{% macro attributed_replaced_deals() -%}
    {%- set opportunities = ref('int_opportunities_unioned') -%}
    with
    changed as (
        select opportunity_id, account_id from {{ opportunities }}
        where {{ new_loads() }} or {{ inputs_changed(attributed_inputs()) }}
        union all
        select opportunity_id, account_id from {{ this }}
        where opportunity_id not in (select opportunity_id from {{ opportunities }} where opportunity_id is not null)
    ),
    deal_size_thresholds as ({{ deal_size_thresholds(opportunities) }}),
    canonical_stages as ({{ canonical_stage_spellings(opportunities) }})
    select opportunity_id from changed
    union
    select opportunity_id from {{ opportunities }}
    where status = 'won' and account_id in (
        select account_id from changed
        union
        select account_id from {{ this }} where opportunity_id in (select opportunity_id from changed)
    )
    union
    select opportunity_id from {{ this }} cross join deal_size_thresholds
    where deal_size_band is distinct from {{ deal_size_band('amount', 'status') }}
    union
    {#- a mapped deal's amount summed from lines it lost (moved to another deal) #}
    select stored.opportunity_id from {{ this }} as stored
    inner join {{ opportunities }} as current_deals on stored.opportunity_id = current_deals.opportunity_id
    where current_deals._source_name <> 'salesforce' and stored.amount is distinct from current_deals.amount
    union
    select stored.opportunity_id from {{ this }} as stored
    inner join canonical_stages on lower(stored.stage) = canonical_stages.stage_key
    where stored.stage <> canonical_stages.stage
{%- endmacro %}

{#- the stage spellings of int_opportunities_attributed (one per stage, any case) -#}
{% macro attributed_stage_spellings() -%}
    select
        lower(stage) as stage_key,
        min(stage) as stage
    from {{ ref('int_opportunities_attributed') }}
    where stage is not null
    group by lower(stage)
{%- endmacro %}

{#-
    The deals whose stage history an incremental build of int_stage_history_resolved computes again (DuckDB):
    deals, history rows and entries rebuilt from exports loaded since the model's newest row; deals that left
    int_opportunities_attributed; deals only the snapshot knows; deals with an entry whose stage spelling moved
    (or whose stage no deal is in now).
-#}
{% macro stage_history_replaced_deals() -%}
    {%- set opportunities = ref('int_opportunities_attributed') -%}
    {%- set export_entries = ref('int_stage_history_from_exports') -%}
    with
    canonical_stages as ({{ attributed_stage_spellings() }})
    select opportunity_id from {{ opportunities }} where {{ new_loads() }}
    union
    select opportunity_id from {{ ref('int_stage_history_unioned') }} where {{ new_loads() }}
    union
    select opportunity_id from {{ export_entries }} where {{ new_loads() }}
    union
    {{ stage_entries_gone_or_respelled() }}
{%- endmacro %}

{#-
    The deals of the model being built (`this`, one row per stage entry with opportunity_id and stage) whose
    entries are stale whatever was loaded: deals that left int_opportunities_attributed, deals only the snapshot
    knows (no export entry), deals with an entry whose stage spelling moved (or whose stage no deal is in now).
    Shared by int_stage_history_resolved's and int_stage_entries_measured's replaced deals; the caller's query
    defines canonical_stages (attributed_stage_spellings).
-#}
{% macro stage_entries_gone_or_respelled() -%}
    {%- set opportunities = ref('int_opportunities_attributed') -%}
    {%- set export_entries = ref('int_stage_history_from_exports') -%}
    select opportunity_id from {{ this }}
    where opportunity_id not in (select opportunity_id from {{ opportunities }} where opportunity_id is not null)
    union
    select opportunity_id from {{ ref('int_stage_history_from_snapshot') }}
    where opportunity_id not in (select opportunity_id from {{ export_entries }} where opportunity_id is not null)
    union
    select stored.opportunity_id from {{ this }} as stored
    left join canonical_stages on lower(stored.stage) = canonical_stages.stage_key
    where stored.stage <> coalesce(canonical_stages.stage, 'unknown')
{%- endmacro %}
