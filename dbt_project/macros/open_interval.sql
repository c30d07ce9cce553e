{#
    The days a deal counts as open, written once for int_rep_days_accumulated (rep_performance) and
    pipeline_snapshot: from open_from_date (inclusive) until left_open_date (exclusive: a deal closing on a
    day is no longer open that day; NULL while the deal is open). Expects columns status, created_date and
    close_date of int_opportunities_attributed.
    - A close before creation (bad data) closes the deal the day it opens.
    - Without a created date (a mapped export may give none) an open deal is open from calendar_last_day
      only (it is in the current pipeline, since when is unknown); a closed one opens and leaves on its close
      date, so it is never open.
#}
{% macro open_interval(calendar_last_day) -%}
coalesce(
            created_date,
            case when status = 'open' then {{ calendar_last_day }} else close_date end
        ) as open_from_date,
        case
            when status <> 'open' and close_date < created_date then created_date
            when status <> 'open' then close_date
        end as left_open_date
{%- endmacro %}
