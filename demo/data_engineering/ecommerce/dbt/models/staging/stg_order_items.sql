-- One row per order item: a missing discount is none, and the subtotal is worked out again from
-- quantity, price and discount where the source lacks it.
with ranked as (
    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        round(cast(unit_price as numeric), 2) as unit_price,
        coalesce(discount, 0) as discount,
        coalesce(subtotal, quantity * unit_price - coalesce(discount, 0)) as subtotal,
        row_number() over (partition by order_item_id order by _loaded_at desc) as copy_number
    from {{ source('raw', 'raw_order_items') }}
    where order_item_id is not null
      and quantity > 0
)
select order_item_id, order_id, product_id, quantity, unit_price, discount, round(cast(subtotal as numeric), 2) as subtotal
from ranked
where copy_number = 1
