{#- The user metrics over int_user_activity for one period column (metric_date or metric_hour):
    orders, spend, cancellations, promotion use, payment attempts and reviews. -#}
{% macro user_metrics(period) -%}
select
    user_id,
    {{ period }},
    {{ period }} as partition_key,
    count(distinct case when is_sale = 1 then order_id end) as order_count,
    round(cast(coalesce(sum(case when is_sale = 1 then line_total end), 0) as numeric), 2) as order_value,
    count(distinct case when is_sale = 0 then order_id end) as cancelled_orders,
    count(distinct case when promotion_id is not null then order_id end) as promotion_orders,
    count(distinct case when payment_status = 'paid' then invoice_id end) as payments_succeeded,
    count(distinct case when payment_status = 'failed' then invoice_id end) as payments_failed,
    count(review_id) as review_count,
    {{ json_metrics([
        ('avg_rating_given', 'round(cast(avg(rating) as numeric), 2)'),
        ('payment_success_rate', "round(cast(1.0 * count(distinct case when payment_status = 'paid' then invoice_id end) / nullif(count(distinct case when payment_status in ('paid', 'failed') then invoice_id end), 0) as numeric), 3)"),
    ]) }} as extra_metrics
from {{ ref('int_user_activity') }}
group by user_id, {{ period }}
{%- endmacro %}
