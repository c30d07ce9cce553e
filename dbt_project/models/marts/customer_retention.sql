{#
    Customer retention per grain x period. A customer of a period is an account with a won deal closed in
    it; the previous period is the one just before of the same grain (the calendar has no gaps, and an
    empty period has no customers, so a customer counts as retained only when active in both consecutive
    periods). Every active customer is exactly one of retained, new (first won deal in this period) or
    reactivated (bought before, but not in the previous period).
#}
with

periods as (
    select * from {{ ref('int_periods_spined') }}
),

customer_periods as (
    select * from {{ ref('int_customer_periods_active') }}
),

periods_with_prior as (
    select
        grain,
        period_start,
        period_end,
        case grain
            when 'day' then {{ add_days(-1, 'period_start') }}
            when 'week' then {{ add_days(-7, 'period_start') }}
            when 'month' then cast({{ dbt.dateadd('month', -1, 'period_start') }} as date)
            when 'quarter' then cast({{ dbt.dateadd('month', -3, 'period_start') }} as date)
            when 'year' then cast({{ dbt.dateadd('year', -1, 'period_start') }} as date)
        end as prior_period_start
    from periods
),

customers_joined_to_prior_period as (
    select
        current_period.grain,
        current_period.period_start,
        current_period.account_id,
        current_period.is_new_customer,
        prior_period.account_id is not null as was_active_prior
    from customer_periods as current_period
    inner join periods_with_prior
        on current_period.grain = periods_with_prior.grain
        and current_period.period_start = periods_with_prior.period_start
    left join customer_periods as prior_period
        on current_period.grain = prior_period.grain
        and current_period.account_id = prior_period.account_id
        and prior_period.period_start = periods_with_prior.prior_period_start
),

customers_by_period as (
    select
        grain,
        period_start,
        count(*) as customers_active,
        count(case when was_active_prior then 1 end) as customers_retained,
        count(case when is_new_customer then 1 end) as new_customers,
        count(case when not is_new_customer and not was_active_prior then 1 end) as reactivated_customers
    from customers_joined_to_prior_period
    group by grain, period_start
),

periods_joined as (
    select
        periods_with_prior.grain,
        periods_with_prior.period_start,
        periods_with_prior.period_end,
        coalesce(prior_period.customers_active, 0) as customers_prior,
        coalesce(current_period.customers_active, 0) as customers_active,
        coalesce(current_period.customers_retained, 0) as customers_retained,
        coalesce(current_period.new_customers, 0) as new_customers,
        coalesce(current_period.reactivated_customers, 0) as reactivated_customers
    from periods_with_prior
    left join customers_by_period as current_period
        on periods_with_prior.grain = current_period.grain
        and periods_with_prior.period_start = current_period.period_start
    left join customers_by_period as prior_period
        on periods_with_prior.grain = prior_period.grain
        and periods_with_prior.prior_period_start = prior_period.period_start
),

final as (
    select
        grain,
        period_start,
        period_end,
        cast(customers_prior as {{ dbt.type_bigint() }}) as customers_prior,
        cast(customers_active as {{ dbt.type_bigint() }}) as customers_active,
        cast(customers_retained as {{ dbt.type_bigint() }}) as customers_retained,
        cast(customers_prior - customers_retained as {{ dbt.type_bigint() }}) as customers_churned,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(reactivated_customers as {{ dbt.type_bigint() }}) as reactivated_customers,
        {{ safe_divide('customers_retained', 'customers_prior') }} as retention_rate,
        1 - {{ safe_divide('customers_retained', 'customers_prior') }} as churn_rate
    from periods_joined
)

select * from final
