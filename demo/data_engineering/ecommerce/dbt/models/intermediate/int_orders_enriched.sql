-- Ephemeral: inlined as a CTE into the marts that use it.
select
    o.order_id,
    o.customer_id,
    o.product_id,
    o.quantity,
    {{ cents_to_dollars('o.amount_cents') }} as amount,
    o.status,
    o.ordered_at,
    {{ dbt.date_trunc('month', 'o.ordered_at') }} as order_month,
    c.country,
    r.region,
    p.category
from {{ ref('stg_orders') }} as o
join {{ ref('stg_customers') }} as c on c.customer_id = o.customer_id
left join {{ ref('country_regions') }} as r on r.country = c.country
left join {{ ref('stg_products') }} as p on p.product_id = o.product_id
