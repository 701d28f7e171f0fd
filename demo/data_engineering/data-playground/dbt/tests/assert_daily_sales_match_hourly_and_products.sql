-- Three views of the same sales agree day by day: the shops' days, the sum of their hours, and
-- the products' days (cancelled orders excluded everywhere).
with shop_days as (
    select metric_date, sum(revenue) as revenue, sum(items_sold) as units
    from {{ ref('shop_metrics_daily') }}
    group by metric_date
),
hours as (
    select {{ day_key('metric_hour') }} as metric_date, sum(revenue) as revenue, sum(items_sold) as units
    from {{ ref('shop_metrics_hourly') }}
    group by {{ day_key('metric_hour') }}
),
product_days as (
    select metric_date, sum(revenue) as revenue, sum(units_sold) as units
    from {{ ref('product_metrics_daily') }}
    group by metric_date
)
select h.metric_date, h.revenue as hourly_revenue, s.revenue as daily_revenue, p.revenue as product_revenue
from hours as h
left join shop_days as s on s.metric_date = h.metric_date
left join product_days as p on p.metric_date = h.metric_date
where abs(h.revenue - coalesce(s.revenue, 0)) > 0.05
   or abs(h.revenue - coalesce(p.revenue, 0)) > 0.05
   or h.units <> coalesce(s.units, 0)
   or h.units <> coalesce(p.units, 0)
