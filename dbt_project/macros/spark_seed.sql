{#
    dbt-spark's seed loader, with the values written as escaped literals: dbt-spark's own binds each value into
    '%s' unescaped in session mode, so a description with an apostrophe (kpi_catalogue: "an account's first won
    deal") ends the string and fails the insert. Spark reads a backslash in a string literal as an escape, so both
    the backslash and the quote are escaped with one. Empty cells are NULL, as on DuckDB.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
            (
                {%- for value in row -%}
                {%- set column_type = column_override.get(
                    agate_table.column_names[loop.index0], adapter.convert_type(agate_table, loop.index0)
                ) -%}
                {%- if value is none -%}
                cast(null as {{ column_type }})
                {%- else -%}
                cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ column_type }})
                {%- endif -%}
                {{- ', ' if not loop.last -}}
                {%- endfor -%}
            ){{ ',' if not loop.last }}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}
