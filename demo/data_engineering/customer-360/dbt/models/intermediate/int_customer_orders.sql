-- Per customer: completed orders, what they spent, and the average order.
select
    customer_id,
    count(*) as total_orders,
    sum(amount) as total_spend,
    sum(amount) / count(*) as avg_order_value,
    max(txn_date) as last_order_at
from {{ ref('stg_transactions') }}
group by customer_id
