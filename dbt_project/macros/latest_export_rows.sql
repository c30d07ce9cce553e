{#
    Raw keeps every export ever loaded, so one record can appear once per export. The latest wins: the latest
    load, then the later file name (dated export folders sort in time order), then the later line in the file.

    Most ids appear once, so only the rows of duplicated ids go through the window function: ranking every
    row would carry every wide text column through a sort, about twice the cost of the whole model at a
    million rows. Written with a subquery and row_number (no `qualify`, no `rowid`) so it stays portable.
#}
{% macro latest_export_rows(relation, key_columns) -%}
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
