{#
    Conversion rates, one row per currency and validity span, in units of the currency per one unit of the
    org's base (Salesforce: the corporate currency, rate 1). rate_basis says which:
    - dated: a DatedConversionRate, valid from its start date up to the day before the currency's next dated
      rate (valid_to, exclusive; NULL for the latest). The span ends at the next start date found, not at the
      exported NextStartDate, so spans never overlap and a deal matches at most one dated rate per currency.
      Two rates of one currency starting the same day: the later export (file, line) wins.
    - static: the CurrencyType rate (valid_from and valid_to NULL), used on days no dated rate covers.
    A mapped rates file (stg_canonical__currency_rates) adds its rows the same way: those with a start date are
    dated, the others static; for one currency and day the Salesforce export's rate wins.
    A rate that is not positive is no rate (the audit reads the same rates: pipelines/lib/audit/currency.py).
#}
with

dated_rates as (
    select * from {{ ref('stg_salesforce__dated_conversion_rates') }}
),

static_rates as (
    select * from {{ ref('stg_salesforce__currency_types') }}
),

mapped_rates as (
    select * from {{ ref('stg_canonical__currency_rates') }}
),

all_dated as (
    select iso_code, start_date, conversion_rate, 0 as source_rank, _source_file, _source_line
    from dated_rates
    union all
    select currency as iso_code, start_date, rate as conversion_rate, 1 as source_rank, _source_file, _source_line
    from mapped_rates
    where start_date is not null
),

all_static as (
    select iso_code, conversion_rate, 0 as source_rank, _source_file, _source_line
    from static_rates
    union all
    select currency as iso_code, rate as conversion_rate, 1 as source_rank, _source_file, _source_line
    from mapped_rates
    where start_date is null
),

dated_ranked as (
    select
        iso_code,
        start_date,
        conversion_rate,
        row_number() over (
            partition by iso_code, start_date
            order by source_rank asc, _source_file desc, _source_line desc
        ) as rank_in_day
    from all_dated
    where iso_code is not null
        and start_date is not null
        and conversion_rate > 0
),

dated_spans as (
    select
        iso_code as currency,
        start_date as valid_from,
        lead(start_date) over (partition by iso_code order by start_date) as valid_to,
        conversion_rate,
        'dated' as rate_basis
    from dated_ranked
    where rank_in_day = 1
),

static_ranked as (
    select
        iso_code,
        conversion_rate,
        row_number() over (
            partition by iso_code
            order by source_rank asc, _source_file desc, _source_line desc
        ) as rank_in_code
    from all_static
    where iso_code is not null
        and conversion_rate > 0
),

static_spans as (
    select
        iso_code as currency,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        conversion_rate,
        'static' as rate_basis
    from static_ranked
    where rank_in_code = 1
),

final as (
    select * from dated_spans
    union all
    select * from static_spans
)

select * from final
