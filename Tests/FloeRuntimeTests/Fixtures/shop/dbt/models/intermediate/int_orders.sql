select o.order_id, o.customer_id, c.country, o.amount, o.status, o.ordered_at
from {{ ref('stg_orders') }} as o
join {{ ref('stg_customers') }} as c on c.customer_id = o.customer_id
