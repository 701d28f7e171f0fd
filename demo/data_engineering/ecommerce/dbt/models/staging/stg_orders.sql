-- One row per order: its latest version (an order sent twice arrives with a later order_date),
-- with a known status; orders without a customer or a date are dropped. shipped_date is
-- optional (not yet shipped, or not recorded).
with ranked as (
    select
        order_id,
        customer_id,
        {{ clean_text('status') }} as status,
        round(cast(total_amount as numeric), 2) as total_amount,
        order_date,
        shipped_date,
        row_number() over (partition by order_id order by order_date desc) as version_rank
    from {{ source('raw', 'raw_orders') }}
    where customer_id is not null
      and order_date is not null
)
select order_id, customer_id, status, total_amount, order_date, shipped_date
from ranked
where version_rank = 1
