-- FakeUserShopMetricsHourly: each shop's orders, customers, items and revenue per hour in which
-- it had an order. Cancelled orders are counted apart and add nothing to sales.
select
    shop_id,
    metric_hour,
    metric_hour as partition_key,
    count(distinct case when is_sale = 1 then order_id end) as order_count,
    count(distinct case when is_sale = 1 then user_id end) as customer_count,
    count(distinct case when is_sale = 0 then order_id end) as cancelled_orders,
    coalesce(sum(case when is_sale = 1 then quantity end), 0) as items_sold,
    round(cast(coalesce(sum(case when is_sale = 1 then line_total end), 0) as numeric), 2) as revenue
from {{ ref('int_order_lines') }}
group by shop_id, metric_hour
