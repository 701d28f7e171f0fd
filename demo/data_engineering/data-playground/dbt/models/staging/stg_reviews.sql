-- FakeUserShopReview: a user's rating of a shop's product; reviews without a rating are text
-- only and keep a NULL rating.
select
    review_id,
    user_id,
    shop_id,
    product_id,
    cast(rating as {{ dbt.type_int() }}) as rating,
    body,
    event_time
from {{ source('playground', 'raw_fake_user_shop_review') }}
