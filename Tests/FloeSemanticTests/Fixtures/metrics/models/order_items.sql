select i.id as order_item_id, i.order_id, i.product_id, o.ordered_at,
       p.product_price, p.is_food_item, p.is_drink_item
from {{ ref('raw_items') }} i
join {{ ref('raw_orders') }} o on o.id = i.order_id
join {{ ref('products') }} p on p.product_id = i.product_id
