-- One row per customer: who they are, what they bought, and how support went.
select
    c.customer_id,
    c.customer_name,
    c.email,
    c.segment,
    c.signup_date,
    coalesce(o.total_orders, 0) as total_orders,
    round(cast(coalesce(o.total_spend, 0) as numeric), 2) as total_spend,
    round(cast(o.avg_order_value as numeric), 2) as avg_order_value,
    o.last_order_at,
    coalesce(s.ticket_count, 0) as ticket_count,
    coalesce(s.open_tickets, 0) as open_tickets,
    round(cast(s.avg_resolution_hours as numeric), 1) as avg_resolution_hours,
    {{ dbt.current_timestamp() }} as _loaded_at
from {{ ref('stg_crm_customers') }} as c
left join {{ ref('int_customer_orders') }} as o on o.customer_id = c.customer_id
left join {{ ref('int_customer_support') }} as s on s.customer_id = c.customer_id
