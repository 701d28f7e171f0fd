-- Every order with its lines (an order without lines keeps one row with NULL line fields), the
-- order's day and hour, and whether it counts towards sales (cancelled orders do not).
select
    o.order_id,
    o.user_id,
    o.shop_id,
    o.promotion_id,
    o.status,
    o.event_time,
    {{ day_key('o.event_time') }} as metric_date,
    {{ hour_key('o.event_time') }} as metric_hour,
    case when o.status = 'cancelled' then 0 else 1 end as is_sale,
    i.order_item_id,
    i.product_id,
    i.quantity,
    i.unit_price,
    i.line_total
from {{ ref('stg_orders') }} as o
left join {{ ref('stg_order_items') }} as i
    on i.order_id = o.order_id
