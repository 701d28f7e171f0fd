-- FakeUserShopInventoryLog: changes to a product's stock and why.
select log_id, product_id, quantity_change, lower(reason) as reason, event_time
from {{ source('playground', 'raw_fake_user_shop_inventory_log') }}
