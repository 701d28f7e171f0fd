select o.order_id, o.customer_id, latest.tier, first_version.country, o.amount
from {{ ref('finance_orders') }} as o
join {{ ref('dim_customers') }} as latest on latest.customer_id = o.customer_id
join {{ ref('dim_customers', v=1) }} as first_version on first_version.customer_id = o.customer_id
