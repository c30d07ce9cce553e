{#
    dbt-spark's snapshot materialization, for plain Parquet tables too. dbt-spark refuses a snapshot that is not
    Delta, Iceberg or Hudi because it updates the versions with MERGE; a Spark session without those jars (the
    session target, README "Spark") writes Parquet only. Here a Parquet snapshot is rewritten whole instead: the
    versions closed by this build get their dbt_valid_to, the new versions are appended, into a new table that
    then replaces the old one. Delta, Iceberg and Hudi snapshots keep dbt-spark's MERGE. Only what this project's
    snapshot uses is supported on Parquet (strategies check and timestamp; no hard deletes).
#}
{% materialization snapshot, adapter='spark' %}

    {%- set target_table = model.get('alias', model.get('name')) -%}
    {%- set strategy_name = config.get('strategy') -%}
    {%- set file_format = config.get('file_format') or 'parquet' -%}
    {%- set grant_config = config.get('grants') -%}
    {%- set merge_formats = ['delta', 'iceberg', 'hudi'] -%}

    {%- set target_relation_exists, target_relation = get_or_create_relation(
        database=none,
        schema=model.schema,
        identifier=target_table,
        type='table'
    ) -%}

    {%- if file_format not in merge_formats + ['parquet'] -%}
        {%- do exceptions.raise_compiler_error(
            'Invalid file format for a snapshot: ' ~ file_format ~ ' (delta, iceberg, hudi or parquet)'
        ) -%}
    {%- endif -%}

    {%- if not adapter.check_schema_exists(model.database, model.schema) -%}
        {%- do create_schema(model.schema) -%}
    {%- endif -%}

    {%- if not target_relation.is_table -%}
        {%- do exceptions.relation_wrong_type(target_relation, 'table') -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set strategy_macro = strategy_dispatch(strategy_name) -%}
    {%- set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) -%}

    {%- if not target_relation_exists -%}
        {%- set final_sql = create_table_as(False, target_relation, build_snapshot_table(strategy, model['compiled_code'])) -%}
    {%- else -%}
        {%- set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
        {{ adapter.valid_snapshot_target(target_relation, columns) }}
        {%- set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) -%}
        {%- set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
            | rejectattr('name', 'in', ['dbt_change_type', 'DBT_CHANGE_TYPE', 'dbt_unique_key', 'DBT_UNIQUE_KEY'])
            | list -%}
        {%- do create_columns(target_relation, missing_columns) -%}
        {%- if file_format in merge_formats -%}
            {%- set quoted_source_columns = [] -%}
            {%- for column in adapter.get_columns_in_relation(staging_table)
                | rejectattr('name', 'in', ['dbt_change_type', 'DBT_CHANGE_TYPE', 'dbt_unique_key', 'DBT_UNIQUE_KEY']) -%}
                {%- do quoted_source_columns.append(adapter.quote(column.name)) -%}
            {%- endfor -%}
            {%- set final_sql = snapshot_merge_sql(target=target_relation, source=staging_table, insert_cols=quoted_source_columns) -%}
        {%- else -%}
            {%- set final_sql = parquet_snapshot_rewrite(target_relation, staging_table, columns) -%}
        {%- endif -%}
    {%- endif -%}

    {% call statement('main') %}
        {{ final_sql }}
    {% endcall %}

    {%- do apply_grants(target_relation, grant_config, should_revoke(target_relation_exists, full_refresh_mode)) -%}
    {%- do persist_docs(target_relation, model) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {%- if staging_table is defined -%}
        {%- do post_snapshot(staging_table) -%}
    {%- endif -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}

{#
    The new snapshot (every version, the closed ones with their dbt_valid_to, then the new versions) written as a
    table beside the old one, which it then replaces; returns the last statement (the rename), run as 'main'.
#}
{% macro parquet_snapshot_rewrite(target_relation, staging_table, columns) -%}
    {%- set rebuilt = target_relation.incorporate(path={'identifier': target_relation.identifier ~ '__dbt_rebuilt'}) -%}
    {%- set target_columns = adapter.get_columns_in_relation(target_relation) | map(attribute='name') | list -%}
    {%- set valid_to = columns.dbt_valid_to -%}
    {%- set scd_id = columns.dbt_scd_id -%}
    {%- set rebuild_sql -%}
        select
            {%- for column in target_columns %}
            {% if column | lower == valid_to | lower -%}
            case
                when closing.{{ scd_id }} is not null then closing.{{ valid_to }}
                else versions.{{ valid_to }}
            end as {{ adapter.quote(column) }}
            {%- else -%}
            versions.{{ adapter.quote(column) }}
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ target_relation }} as versions
        left join (
            select * from {{ staging_table }} where dbt_change_type in ('update', 'delete')
        ) as closing
            on closing.{{ scd_id }} = versions.{{ scd_id }}
            and versions.{{ valid_to }} is null
        union all
        select
            {%- for column in target_columns %}
            {{ adapter.quote(column) }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ staging_table }}
        where dbt_change_type = 'insert'
    {%- endset -%}
    {%- do adapter.drop_relation(rebuilt) -%}
    {%- do run_query(create_table_as(False, rebuilt, rebuild_sql)) -%}
    {%- do adapter.drop_relation(target_relation) -%}
    alter table {{ rebuilt }} rename to {{ target_relation }}
{%- endmacro %}
