select c.id as customer_id, c.name as customer_name,
       min(o.ordered_at) as first_ordered_at, count(o.order_id) as count_lifetime_orders,
       coalesce(sum(o.subtotal), 0) as lifetime_spend_pretax,
       case when count(o.order_id) > 1 then 'returning' else 'new' end as customer_type
from {{ ref('raw_customers') }} c
left join {{ ref('orders') }} o on o.customer_id = c.id
group by c.id, c.name
