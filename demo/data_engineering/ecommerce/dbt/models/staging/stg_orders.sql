-- Orders with typed amounts; rows without a customer or an amount are dropped.
select distinct
    order_id,
    customer_id,
    product_id,
    quantity,
    amount_cents,
    {{ clean_text('status') }} as status,
    ordered_at
from {{ source('raw', 'raw_orders') }}
where customer_id is not null
  and amount_cents is not null
  and amount_cents >= {{ var('min_order_cents') }}
