{#
    An invariant row by row: returns the rows where the expression is not true. NULL on either side of a
    comparison counts as a failure, so write coalesce() into the expression where NULL is legitimate.
#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
