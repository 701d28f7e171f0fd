-- Everything that happened to a product, one row per event with its day and hour: a sold line
-- (cancelled orders excluded), a review or a stock change. The product metric tables aggregate
-- it by day and by hour.
select
    product_id,
    metric_date,
    metric_hour,
    quantity,
    unit_price,
    line_total,
    cast(null as {{ dbt.type_string() }}) as review_id,
    cast(null as {{ dbt.type_int() }}) as rating,
    cast(null as {{ dbt.type_int() }}) as quantity_change
from {{ ref('int_order_lines') }}
where is_sale = 1 and product_id is not null
union all
select
    product_id,
    {{ day_key('event_time') }},
    {{ hour_key('event_time') }},
    cast(null as {{ dbt.type_int() }}),
    cast(null as {{ dbt.type_float() }}),
    cast(null as {{ dbt.type_float() }}),
    review_id,
    rating,
    cast(null as {{ dbt.type_int() }})
from {{ ref('stg_reviews') }}
union all
select
    product_id,
    {{ day_key('event_time') }},
    {{ hour_key('event_time') }},
    cast(null as {{ dbt.type_int() }}),
    cast(null as {{ dbt.type_float() }}),
    cast(null as {{ dbt.type_float() }}),
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_int() }}),
    quantity_change
from {{ ref('stg_inventory_log') }}
