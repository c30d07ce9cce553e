{#
    True when a total of parts differs from the whole by more than rounding explains. Amounts flow at 4
    decimals and every mart rounds its own sums to the cent, so n parts may miss the rounded whole by up to
    half a cent each (plus half a cent for the whole): with cent amounts (the Salesforce sample) the test is
    exact, with 4-decimal order lines (Northwind) it allows that rounding and nothing more.
#}
{% macro money_parts_differ(parts_total, whole, parts_count) -%}
    abs(coalesce({{ parts_total }}, 0) - {{ whole }}) > 0.005 * (coalesce({{ parts_count }}, 0) + 1)
{%- endmacro %}
