{#
    An invariant row by row: returns the rows where the expression is not true. NULL on either side of a
    comparison counts as a failure, so write coalesce() into the expression where NULL is legitimate.
    The expression may name the tested model's row by the model's name (`cohort_retention.cohort_month`): the
    table is aliased so, also while the pipeline builds it under its build name (`_build__cohort_retention`,
    macros/generate_alias_name.sql).
#}
{% test expression_is_true(model, expression) %}
{%- set prefix = env_var('SALES_MARTS_BUILD_PREFIX', '') -%}
{%- set cut = (prefix | length) if prefix and model.identifier.startswith(prefix) else 0 -%}
{%- set name = model.identifier[cut:] -%}

select *
from {{ model }} as {{ name }}
where not coalesce({{ expression }}, false)

{% endtest %}
