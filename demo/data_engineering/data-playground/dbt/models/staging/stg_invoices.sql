-- FakeUserInvoice: an order's invoices, issued by the order's shop to its user; an order whose
-- payment failed is invoiced again.
select
    i.invoice_id,
    i.order_id,
    o.user_id,
    o.shop_id,
    lower(i.payment_status) as payment_status,
    i.event_time
from {{ source('playground', 'raw_fake_user_invoice') }} as i
join {{ ref('stg_orders') }} as o on o.order_id = i.order_id
