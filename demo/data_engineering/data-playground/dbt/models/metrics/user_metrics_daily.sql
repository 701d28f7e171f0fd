-- FakeUserMetricsDaily: each user's day of orders, spend, cancellations and reviews, over one
-- stream of the user's activity (an order line or a review). extra_metrics carries the average
-- rating the user gave that day.
with activity as (
    select
        user_id,
        metric_date,
        order_id,
        is_sale,
        line_total,
        cast(null as {{ dbt.type_string() }}) as review_id,
        cast(null as {{ dbt.type_int() }}) as rating
    from {{ ref('int_order_lines') }}
    union all
    select
        user_id,
        {{ day_key('event_time') }} as metric_date,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as {{ dbt.type_int() }}) as is_sale,
        cast(null as {{ dbt.type_float() }}) as line_total,
        review_id,
        rating
    from {{ ref('stg_reviews') }}
)
select
    user_id,
    metric_date,
    metric_date as partition_key,
    count(distinct case when is_sale = 1 then order_id end) as order_count,
    round(coalesce(sum(case when is_sale = 1 then line_total end), 0), 2) as order_value,
    count(distinct case when is_sale = 0 then order_id end) as cancelled_orders,
    count(review_id) as review_count,
    {{ json_metrics([('avg_rating_given', 'round(avg(rating), 2)')]) }} as extra_metrics
from activity
group by user_id, metric_date
