{#
    Monthly acquisition cohorts. An account's cohort is the month of its first won deal; each cohort is
    followed from month 0 (the acquisition month, retention 1) to the last month of the data, at most
    var cohort_max_months months. Months in which none of the cohort bought keep their row with zeros.
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

customer_periods as (
    select * from {{ ref('int_customer_periods_active') }}
),

customer_months as (
    select
        account_id,
        period_start as activity_month,
        revenue
    from customer_periods
    where grain = 'month'
),

cohorts as (
    select
        account_id,
        min(activity_month) as cohort_month
    from customer_months
    group by account_id
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_size
    from cohorts
    group by cohort_month
),

last_data_month as (
    select max(period_start) as last_month
    from periods
    where grain = 'month'
),

month_offsets as (
    select generated_number - 1 as months_since_first_purchase
    from ({{ dbt.generate_series(var('cohort_max_months') + 1) }}) as numbers
),

cohort_months as (
    select
        cohort_sizes.cohort_month,
        month_offsets.months_since_first_purchase,
        cast(
            {{ dbt.dateadd('month', 'month_offsets.months_since_first_purchase', 'cohort_sizes.cohort_month') }} as date
        ) as activity_month,
        cohort_sizes.cohort_size
    from cohort_sizes
    cross join month_offsets
    cross join last_data_month
    where {{ dbt.dateadd('month', 'month_offsets.months_since_first_purchase', 'cohort_sizes.cohort_month') }}
        <= last_data_month.last_month
),

cohort_activity as (
    select
        cohorts.cohort_month,
        customer_months.activity_month,
        count(*) as active_customers,
        sum(customer_months.revenue) as cohort_revenue
    from customer_months
    inner join cohorts
        on customer_months.account_id = cohorts.account_id
    group by cohorts.cohort_month, customer_months.activity_month
),

cohort_months_joined as (
    select
        cohort_months.cohort_month,
        cohort_months.months_since_first_purchase,
        cohort_months.activity_month,
        cohort_months.cohort_size,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        coalesce(cohort_activity.cohort_revenue, 0) as cohort_revenue
    from cohort_months
    left join cohort_activity
        on cohort_months.cohort_month = cohort_activity.cohort_month
        and cohort_months.activity_month = cohort_activity.activity_month
),

with_cumulative_revenue as (
    select
        cohort_months_joined.*,
        sum(cohort_revenue) over (
            partition by cohort_month
            order by months_since_first_purchase
            rows between unbounded preceding and current row
        ) as cumulative_revenue
    from cohort_months_joined
),

final as (
    select
        cohort_month,
        cast(months_since_first_purchase as integer) as months_since_first_purchase,
        activity_month,
        cast(cohort_size as {{ dbt.type_bigint() }}) as cohort_size,
        cast(active_customers as {{ dbt.type_bigint() }}) as active_customers,
        {{ safe_divide('active_customers', 'cohort_size') }} as retention_rate,
        {{ money('cohort_revenue') }} as cohort_revenue,
        {{ money('cumulative_revenue') }} as cumulative_revenue,
        {{ divide_money('cumulative_revenue', 'cohort_size') }} as cumulative_revenue_per_customer
    from with_cumulative_revenue
)

select * from final
