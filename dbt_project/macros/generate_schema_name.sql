{#
    Custom schemas are used verbatim (staging, intermediate, marts), not prefixed with the target schema:
    the warehouse is one DuckDB file per environment, so the prefix would only make every query longer.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
