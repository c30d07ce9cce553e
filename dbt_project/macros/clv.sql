{#
    Expected customer lifetime in years for predicted CLV (customer_value, unit_economics): 1 / the annual
    churn rate, capped at var clv_lifetime_cap_years (default 10). A churn rate of 0 (or below) means no
    customer was lost: the lifetime is the cap rather than infinite. A NULL churn rate (no customers to
    measure churn on) gives a NULL lifetime: unknown, not the cap.
#}
{% macro expected_lifetime_years(annual_churn_expr) -%}
    {%- set cap = var('clv_lifetime_cap_years') -%}
    (case
        when ({{ annual_churn_expr }}) is null then null
        when ({{ annual_churn_expr }}) <= 0 then cast({{ cap }} as double)
        else least(cast({{ cap }} as double), 1.0 / cast(({{ annual_churn_expr }}) as double))
    end)
{%- endmacro %}
