{#
    Quotas spread evenly over their days onto periods, written once for int_rep_quotas_prorated and
    pipeline_snapshot's coverage month: a period gets quota x overlapping days / quota days, so a quarterly
    quota of 90,000 over 91 days gives a 30-day month 90,000 x 30 / 91. The shares are summed per rep and
    period first and cast once to DECIMAL(38,6) (never rounded to the cent).

    A select of period_keys (columns of periods), rep_id and quota, from the relations (or CTEs) quotas
    (int_quotas_dated) and periods, whose first and last days are the columns period_start and period_end.
#}
{% macro prorated_quotas(quotas, periods, period_keys, period_start='period_start', period_end='period_end') -%}
select
        {%- for key in period_keys %}
        {{ periods }}.{{ key }},
        {%- endfor %}
        {{ quotas }}.rep_id,
        {{ money(
            'sum(' ~ divide_as_double(
                quotas ~ '.quota_amount * ('
                ~ days_between(
                    'greatest(' ~ quotas ~ '.period_start, ' ~ periods ~ '.' ~ period_start ~ ')',
                    'least(' ~ quotas ~ '.period_end, ' ~ periods ~ '.' ~ period_end ~ ')'
                )
                ~ ' + 1)',
                quotas ~ '.period_days'
            ) ~ ')'
        ) }} as quota
    from {{ quotas }}
    inner join {{ periods }}
        on {{ quotas }}.period_start <= {{ periods }}.{{ period_end }}
        and {{ quotas }}.period_end >= {{ periods }}.{{ period_start }}
    where {{ quotas }}.rep_id is not null
        and {{ quotas }}.period_days > 0
    group by
        {%- for key in period_keys %}
        {{ periods }}.{{ key }},
        {%- endfor %}
        {{ quotas }}.rep_id
{%- endmacro %}
