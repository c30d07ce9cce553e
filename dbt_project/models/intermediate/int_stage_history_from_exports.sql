{#
    Stage history rebuilt from repeated exports of the same opportunities. Staging keeps only the latest
    export of each record, so this model reads raw, which keeps every export ever loaded (and so sees each
    export even when several landed before one build). Exports are taken in load order (the order
    latest_export_rows ranks them in); a stage entry is the first export of a run of exports that show the
    same stage (trimmed, any case).

    entered_at, best evidence first (entered_at_basis says which):
    - last_stage_change_date: the record's LastStageChangeDate, when present and moved since the previous
      export (a stage change with an unchanged LastStageChangeDate means the field is not maintained);
    - close_date: a closed deal entered its closing stage when it closed;
    - creation: the first export that shows a deal, with nothing better, shows the stage it was created in;
    - export_date: the date of the first export that shows the stage (the YYYY-MM-DD in the export's path,
      else the day it was loaded): the change happened on or before it.
#}
{#-
    Incremental on DuckDB (macros/incremental.sql): a build reads every export of the deals that rows newer than
    the model's newest `_loaded_at` name (or all, should the probability scale change) and replaces those deals'
    entries; `_loaded_at` is the newest load a deal's entries were computed from. On Spark, a table.
#}
{{ config(materialized=incremental_unless_spark('table'), unique_key='opportunity_id') }}

{%- set raw_opportunities = source('salesforce', 'salesforce__opportunity') %}
{%- set raw_probability = parse_decimal(adapter.quote('Probability'), 9, 4) %}

with

opportunity_exports as (
    select * from {{ raw_opportunities }}
    {%- if is_incremental() %}
    where {{ text_or_null(adapter.quote('Id')) }} in (
        select {{ text_or_null(adapter.quote('Id')) }} from {{ raw_opportunities }} where {{ new_loads() }}
    )
        or {{ probability_scale_changed(raw_probability, raw_opportunities) }}
    {%- endif %}
),

observations as (
    select
        {{ text_or_null(adapter.quote('Id')) }} as opportunity_id,
        {{ text_or_null(adapter.quote('StageName')) }} as stage,
        lower({{ text_or_null(adapter.quote('StageName')) }}) as stage_key,
        case
            when {{ parse_boolean(adapter.quote('IsClosed')) }} is not null then {{ parse_boolean(adapter.quote('IsClosed')) }}
            else lower({{ text_or_null(adapter.quote('StageName')) }}) like '%won%'
                or lower({{ text_or_null(adapter.quote('StageName')) }}) like '%lost%'
        end as is_closed,
        {{ probability_fraction(
            parse_decimal(adapter.quote('Probability'), 9, 4), source('salesforce', 'salesforce__opportunity')
        ) }} as probability,
        {{ parse_date(adapter.quote('CloseDate')) }} as close_date,
        {{ parse_timestamp(adapter.quote('CreatedDate')) }} as created_at,
        {{ parse_timestamp(adapter.quote('LastStageChangeDate')) }} as last_stage_change_at,
        {#- regexp_extract (DuckDB and Spark): dbt has no portable regex macro. The greedy .* finds the last date;
            [0-9], not a backslash-d: Spark reads a backslash in a string literal as an escape. #}
        coalesce(
            {{ try_cast("nullif(regexp_extract(_source_file, '.*([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '')", 'date') }},
            cast(_loaded_at as date)
        ) as export_date,
        _source_file,
        _source_line,
        _loaded_at
    from opportunity_exports
),

sequenced as (
    select
        *,
        row_number() over (
            partition by opportunity_id
            order by _loaded_at, _source_file, _source_line
        ) as observation_number,
        lag(stage_key) over (
            partition by opportunity_id
            order by _loaded_at, _source_file, _source_line
        ) as previous_stage_key,
        lag(last_stage_change_at) over (
            partition by opportunity_id
            order by _loaded_at, _source_file, _source_line
        ) as previous_last_stage_change_at,
        max(_loaded_at) over (partition by opportunity_id) as last_loaded_at
    from observations
    where opportunity_id is not null
        and stage_key is not null
),

stage_changes as (
    select
        *,
        last_stage_change_at is not null
        and (
            observation_number = 1
            or previous_last_stage_change_at is null
            or last_stage_change_at > previous_last_stage_change_at
        ) as has_stage_change_date
    from sequenced
    where previous_stage_key is null
        or previous_stage_key <> stage_key
),

final as (
    select
        opportunity_id,
        stage,
        stage_key,
        case
            when has_stage_change_date then last_stage_change_at
            when is_closed and close_date is not null then cast(close_date as {{ dbt.type_timestamp() }})
            when observation_number = 1 then created_at
            else cast(export_date as {{ dbt.type_timestamp() }})
        end as entered_at,
        case
            when has_stage_change_date then 'last_stage_change_date'
            when is_closed and close_date is not null then 'close_date'
            when observation_number = 1 then 'creation'
            else 'export_date'
        end as entered_at_basis,
        probability,
        observation_number,
        export_date,
        _source_file,
        _source_line,
        last_loaded_at as _loaded_at
    from stage_changes
)

select * from final
