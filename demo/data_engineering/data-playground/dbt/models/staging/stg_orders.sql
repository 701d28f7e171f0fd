-- FakeUserShopOrder: one row per order, its latest version (an order sent twice arrives again
-- with a later event_time). promotion_id is the code used, if any: codes are honoured
-- marketplace-wide, whichever shop issued them.
with ranked as (
    select
        order_id,
        user_id,
        shop_id,
        promotion_id,
        lower(status) as status,
        event_time,
        row_number() over (partition by order_id order by event_time desc) as version_rank
    from {{ source('playground', 'raw_fake_user_shop_order') }}
    where event_time is not null
)
select order_id, user_id, shop_id, promotion_id, status, event_time
from ranked
where version_rank = 1
