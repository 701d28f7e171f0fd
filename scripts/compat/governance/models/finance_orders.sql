select cast(id as integer) as order_id, cast(customer_id as integer) as customer_id, cast(amount as integer) as amount
from {{ ref('raw_orders') }}
