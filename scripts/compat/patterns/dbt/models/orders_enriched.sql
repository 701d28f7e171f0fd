select
    {{ local_utils.columns_of(ref('orders'), except=['customer']) }},
    p.total_amount
from {{ ref('orders') }} o
left join {{ ref('payments_by_method') }} p on p.order_id = o.id
