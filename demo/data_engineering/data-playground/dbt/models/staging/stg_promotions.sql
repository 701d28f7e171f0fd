-- FakeUserShopPromotion: a shop's discount codes.
select promotion_id, shop_id, code, cast(discount_pct as {{ dbt.type_int() }}) as discount_pct, event_time
from {{ source('playground', 'raw_fake_user_shop_promotion') }}
