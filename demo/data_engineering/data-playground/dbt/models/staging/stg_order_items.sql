-- FakeUserShopOrderItem: the lines of an order.
select
    order_item_id,
    order_id,
    product_id,
    quantity,
    round(cast(unit_price as numeric), 2) as unit_price,
    round(cast(line_total as numeric), 2) as line_total
from {{ source('playground', 'raw_fake_user_shop_order_item') }}
