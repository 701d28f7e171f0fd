with totals as (
    select order_id, sum(product_price) as subtotal, max(is_food_item) as is_food_order, max(is_drink_item) as is_drink_order
    from {{ ref('order_items') }}
    group by order_id
)
select o.id as order_id, o.customer_id, o.ordered_at, t.subtotal, o.tax as tax_paid, t.subtotal + o.tax as order_total,
       t.is_food_order, t.is_drink_order,
       row_number() over (partition by o.customer_id order by o.ordered_at) as customer_order_number
from {{ ref('raw_orders') }} o
join totals t on t.order_id = o.id
