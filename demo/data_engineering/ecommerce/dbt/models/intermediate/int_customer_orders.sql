-- Per customer: revenue-bearing orders, what they spent, and when they last ordered.
select
    customer_id,
    count(distinct order_id) as order_count,
    sum(subtotal) as total_revenue,
    min(order_date) as first_order_at,
    max(order_date) as last_order_at
from {{ ref('int_order_items_enriched') }}
where counts_as_revenue
group by customer_id
