-- Each order item with its product, its order's date and status, and the customer's region.
select
    i.order_item_id,
    i.order_id,
    i.product_id,
    p.product_name,
    p.category,
    i.quantity,
    i.unit_price,
    i.discount,
    i.subtotal,
    o.customer_id,
    o.status,
    o.order_date,
    {{ dbt.date_trunc('month', 'o.order_date') }} as order_month,
    c.region,
    s.counts_as_revenue
from {{ ref('stg_order_items') }} as i
join {{ ref('stg_orders') }} as o on o.order_id = i.order_id
join {{ ref('stg_products') }} as p on p.product_id = i.product_id
join {{ ref('stg_customers') }} as c on c.customer_id = o.customer_id
join {{ ref('order_statuses') }} as s on s.status = o.status
