-- FakeUserShopProductMetricsDaily: each product's day of units and revenue (cancelled orders
-- excluded) and reviews, over one stream of its activity, with its list price and stock.
-- extra_metrics carries the average price paid and how it compares with the list price.
with activity as (
    select
        product_id,
        metric_date,
        quantity,
        unit_price,
        line_total,
        cast(null as {{ dbt.type_string() }}) as review_id,
        cast(null as {{ dbt.type_int() }}) as rating
    from {{ ref('int_order_lines') }}
    where is_sale = 1 and product_id is not null
    union all
    select
        product_id,
        {{ day_key('event_time') }} as metric_date,
        cast(null as {{ dbt.type_int() }}) as quantity,
        cast(null as {{ dbt.type_float() }}) as unit_price,
        cast(null as {{ dbt.type_float() }}) as line_total,
        review_id,
        rating
    from {{ ref('stg_reviews') }}
),
daily as (
    select
        product_id,
        metric_date,
        coalesce(sum(quantity), 0) as units_sold,
        round(coalesce(sum(line_total), 0), 2) as revenue,
        avg(unit_price) as avg_unit_price,
        count(review_id) as review_count,
        avg(rating) as avg_rating
    from activity
    group by product_id, metric_date
)
select
    d.product_id,
    p.shop_id,
    d.metric_date,
    d.metric_date as partition_key,
    d.units_sold,
    d.revenue,
    d.review_count,
    round(d.avg_rating, 2) as avg_rating,
    p.price as list_price,
    p.inventory,
    {{ json_metrics([
        ('avg_unit_price', 'round(d.avg_unit_price, 2)'),
        ('price_index', 'round(d.avg_unit_price / nullif(p.price, 0), 3)'),
    ]) }} as extra_metrics
from daily as d
join {{ ref('stg_products') }} as p on p.product_id = d.product_id
