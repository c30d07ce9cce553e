{#
    A composite primary key: no two rows share the same values in these columns (dbt_utils is not
    available offline, so this is our own small version).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

validation as (
    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as rows_with_this_key
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
)

select * from validation

{% endtest %}
