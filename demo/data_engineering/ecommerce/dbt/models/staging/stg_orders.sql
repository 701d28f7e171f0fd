-- Orders with typed amounts; rows without a customer, a time or an amount are dropped. An order that
-- arrived twice (same order_id, a later timestamp) is kept once: its latest version.
with ranked as (
    select
        order_id,
        customer_id,
        product_id,
        quantity,
        amount_cents,
        {{ clean_text('status') }} as status,
        ordered_at,
        row_number() over (partition by order_id order by ordered_at desc) as version_rank
    from {{ source('raw', 'raw_orders') }}
    where customer_id is not null
      and ordered_at is not null
      and amount_cents is not null
      and amount_cents >= {{ var('min_order_cents') }}
)
select order_id, customer_id, product_id, quantity, amount_cents, status, ordered_at
from ranked
where version_rank = 1
