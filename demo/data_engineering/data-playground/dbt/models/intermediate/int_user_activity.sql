-- Everything a user did, one row per event with its day and hour: an order line (sales only count
-- when the order is not cancelled), a payment attempt (an invoice) or a review. The user metric
-- tables aggregate it by day and by hour.
select
    user_id,
    metric_date,
    metric_hour,
    order_id,
    is_sale,
    line_total,
    promotion_id,
    cast(null as {{ dbt.type_string() }}) as invoice_id,
    cast(null as {{ dbt.type_string() }}) as payment_status,
    cast(null as {{ dbt.type_string() }}) as review_id,
    cast(null as {{ dbt.type_int() }}) as rating
from {{ ref('int_order_lines') }}
union all
select
    user_id,
    {{ day_key('event_time') }},
    {{ hour_key('event_time') }},
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_int() }}),
    cast(null as {{ dbt.type_float() }}),
    cast(null as {{ dbt.type_string() }}),
    invoice_id,
    payment_status,
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_int() }})
from {{ ref('stg_invoices') }}
union all
select
    user_id,
    {{ day_key('event_time') }},
    {{ hour_key('event_time') }},
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_int() }}),
    cast(null as {{ dbt.type_float() }}),
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    review_id,
    rating
from {{ ref('stg_reviews') }}
