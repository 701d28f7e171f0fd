-- FakeUserShopMetricsDaily: each shop's day of sales, customers, promotion use and reviews, over
-- one stream of the shop's activity (an order line or a review), with the stock it holds. Cancelled orders are
-- counted apart and add nothing to sales. extra_metrics carries the average order value and the
-- hours with sales.
with activity as (
    select
        shop_id,
        metric_date,
        metric_hour,
        order_id,
        user_id,
        promotion_id,
        is_sale,
        quantity,
        line_total,
        cast(null as {{ dbt.type_string() }}) as review_id,
        cast(null as {{ dbt.type_int() }}) as rating
    from {{ ref('int_order_lines') }}
    union all
    select
        shop_id,
        {{ day_key('event_time') }} as metric_date,
        cast(null as {{ dbt.type_string() }}) as metric_hour,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as promotion_id,
        cast(null as {{ dbt.type_int() }}) as is_sale,
        cast(null as {{ dbt.type_int() }}) as quantity,
        cast(null as {{ dbt.type_float() }}) as line_total,
        review_id,
        rating
    from {{ ref('stg_reviews') }}
),
daily as (
    select
        shop_id,
        metric_date,
        count(distinct case when is_sale = 1 then order_id end) as order_count,
        count(distinct case when is_sale = 1 then user_id end) as customer_count,
        count(distinct case when is_sale = 0 then order_id end) as cancelled_orders,
        coalesce(sum(case when is_sale = 1 then quantity end), 0) as items_sold,
        round(cast(coalesce(sum(case when is_sale = 1 then line_total end), 0) as numeric), 2) as revenue,
        count(distinct case when is_sale = 1 then metric_hour end) as hours_with_sales,
        count(distinct case when promotion_id is not null then order_id end) as promotion_orders,
        count(review_id) as review_count,
        avg(rating) as avg_rating
    from activity
    group by shop_id, metric_date
),
stock as (
    select shop_id, count(*) as product_count, round(cast(sum(price * inventory) as numeric), 2) as inventory_value
    from {{ ref('stg_products') }}
    group by shop_id
)
select
    d.shop_id,
    d.metric_date,
    d.metric_date as partition_key,
    d.order_count,
    d.customer_count,
    d.cancelled_orders,
    d.items_sold,
    d.revenue,
    d.promotion_orders,
    d.review_count,
    round(cast(d.avg_rating as numeric), 2) as avg_rating,
    coalesce(k.product_count, 0) as product_count,
    coalesce(k.inventory_value, 0) as inventory_value,
    {{ json_metrics([
        ('avg_order_value', 'round(cast(d.revenue / nullif(d.order_count, 0) as numeric), 2)'),
        ('hours_with_sales', 'd.hours_with_sales'),
    ]) }} as extra_metrics
from daily as d
left join stock as k on k.shop_id = d.shop_id
