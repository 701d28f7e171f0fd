select
    c.customer_id,
    c.customer_name,
    c.email,
    c.country,
    r.region,
    c.signup_date,
    count(o.order_id) as order_count,
    coalesce(sum(o.amount), 0) as lifetime_value
from {{ ref('stg_customers') }} as c
left join {{ ref('country_regions') }} as r on r.country = c.country
left join {{ ref('int_orders_enriched') }} as o on o.customer_id = c.customer_id
group by c.customer_id, c.customer_name, c.email, c.country, r.region, c.signup_date
