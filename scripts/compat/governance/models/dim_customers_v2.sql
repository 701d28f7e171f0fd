select customer_id, customer_name, tier from {{ ref('stg_customers') }}
