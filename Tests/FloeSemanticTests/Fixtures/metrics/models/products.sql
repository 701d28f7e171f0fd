select id as product_id, name as product_name, type as product_type, price as product_price,
       type = 'food' as is_food_item, type = 'drink' as is_drink_item
from {{ ref('raw_products') }}
