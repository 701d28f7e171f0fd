{{ config(materialized='incremental', unique_key='order_id') }}
select order_id, customer_id, country, amount, status, ordered_at
from {{ ref('int_orders') }}
{% if is_incremental() %}
where ordered_at >= (select max(ordered_at) from {{ this }})
{% endif %}
