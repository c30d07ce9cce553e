{#
    Raw keeps every export ever loaded, so one record can appear once per export. The latest wins: the latest
    load, then the later file name (dated export folders sort in time order), then the later line in the file.

    Most ids appear once, so only the rows of duplicated ids go through the window function: ranking every
    row would carry every wide text column through a sort, about twice the cost of the whole model at a
    million rows. Written with a subquery and row_number (no `qualify`, no `rowid`) so it stays portable.

    In an incremental model (DuckDB, macros/incremental.sql) only rows of loads newer than the model's own newest
    row are read: raw only gains rows between two incremental builds (the pipeline runs `--full-refresh`
    otherwise), so whenever those rows hold a record at all, its newest export is among them, and the model's
    delete+insert on its key replaces the record's row. `rebuild_all_when`: a SQL condition under which every row is
    read again (probability_scale_changed).
#}
{% macro latest_export_rows(relation, key_columns, rebuild_all_when=none) -%}
    {%- if is_incremental() -%}
        {%- set relation -%}
            (select * from {{ relation }} where {{ new_loads() }}
            {%- if rebuild_all_when is not none %} or ({{ rebuild_all_when }}){% endif %})
        {%- endset -%}
    {%- endif -%}
    {%- set key = key_columns | join(', ') -%}
    {%- if key_columns | length == 1 %}
    select
        *,
        1 as _export_rank
    from {{ relation }}
    where {{ key }} is null or {{ key }} not in (
        select {{ key }}
        from {{ relation }}
        where {{ key }} is not null
        group by {{ key }}
        having count(*) > 1
    )
    union all
    {% endif -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key }}
                order by _loaded_at desc, _source_file desc, _source_line desc
            ) as _export_rank
        from {{ relation }}
        {%- if key_columns | length == 1 %}
        where {{ key }} in (
            select {{ key }}
            from {{ relation }}
            group by {{ key }}
            having count(*) > 1
        )
        {%- endif %}
    ) as ranked
    where _export_rank = 1
{%- endmacro %}
