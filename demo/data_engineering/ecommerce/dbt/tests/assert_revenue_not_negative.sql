-- A refund larger than the month's sales would show up as negative revenue.
select order_month, revenue_total
from {{ ref('mart_revenue_by_region') }}
where revenue_total < 0
