-- FakeUserShopProduct: what a shop sells, with its price and stock.
select
    product_id,
    shop_id,
    sku,
    name,
    round(cast(price as numeric), 2) as price,
    inventory,
    event_time
from {{ source('playground', 'raw_fake_user_shop_product') }}
