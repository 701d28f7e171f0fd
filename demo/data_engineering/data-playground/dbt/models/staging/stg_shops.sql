-- FakeUserShop: a shop and its owner.
select
    shop_id,
    owner_user_id,
    name,
    lower(category) as category,
    address,
    city,
    country,
    event_time
from {{ source('playground', 'raw_fake_user_shop') }}
