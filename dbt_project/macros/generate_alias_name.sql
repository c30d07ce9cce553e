{#
    Write-audit-publish of the marts (pipelines/lib/transform/marts_swap.py): the pipeline sets
    SALES_MARTS_BUILD_PREFIX (`_build__`), so dbt builds and tests every model and seed of the `marts` schema
    under that prefix beside the live tables, and the pipeline swaps the whole build in at once, in one
    transaction, only once every model and test passed. Unset (dbt by hand, the unit tests, MetricFlow's
    parse) the marts are built under their own names.
#}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- set name = default__generate_alias_name(custom_alias_name, node) | trim -%}
    {%- if node is not none and node.config.schema == 'marts' -%}
        {{ env_var('SALES_MARTS_BUILD_PREFIX', '') ~ name }}
    {%- else -%}
        {{ name }}
    {%- endif -%}
{%- endmacro %}
