select
    product_id,
    name as product_name,
    category,
    {{ cents_to_dollars('price_cents') }} as price
from {{ source('raw', 'raw_products') }}
where product_id is not null
