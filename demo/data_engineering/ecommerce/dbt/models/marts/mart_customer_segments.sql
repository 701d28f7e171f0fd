-- RFM analysis: recency, frequency and monetary scores from 1 to 5 (quintiles, 5 the best), and
-- a segment named from them.
with scored as (
    select
        c.customer_id,
        c.region,
        o.order_count,
        round(cast(o.total_revenue as numeric), 2) as total_revenue,
        o.last_order_at,
        {{ rfm_score('o.last_order_at desc, o.customer_id') }} as recency_score,
        {{ rfm_score('o.order_count desc, o.customer_id') }} as frequency_score,
        {{ rfm_score('o.total_revenue desc, o.customer_id') }} as monetary_score
    from {{ ref('int_customer_orders') }} as o
    join {{ ref('stg_customers') }} as c on c.customer_id = o.customer_id
)
select
    customer_id,
    region,
    order_count,
    total_revenue,
    last_order_at,
    recency_score,
    frequency_score,
    monetary_score,
    case
        when recency_score >= 4 and frequency_score >= 4 and monetary_score >= 4 then 'champions'
        when recency_score >= 3 and frequency_score >= 3 then 'loyal'
        when recency_score >= 4 then 'new'
        when recency_score <= 2 and frequency_score >= 3 then 'at_risk'
        else 'hibernating'
    end as segment
from scored
