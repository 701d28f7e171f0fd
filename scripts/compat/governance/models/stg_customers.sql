select cast(id as integer) as customer_id, name as customer_name, country, cast(tier as integer) as tier
from {{ ref('raw_customers') }}
