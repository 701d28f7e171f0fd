{#- The product metrics over int_product_activity for one period column (metric_date or
    metric_hour): units and revenue, reviews and stock changes, with the list price and stock. -#}
{% macro product_metrics(period) -%}
with periods as (
    select
        product_id,
        {{ period }},
        coalesce(sum(quantity), 0) as units_sold,
        round(cast(coalesce(sum(line_total), 0) as numeric), 2) as revenue,
        avg(unit_price) as avg_unit_price,
        count(review_id) as review_count,
        avg(rating) as avg_rating,
        coalesce(sum(quantity_change), 0) as stock_change
    from {{ ref('int_product_activity') }}
    group by product_id, {{ period }}
)
select
    d.product_id,
    p.shop_id,
    d.{{ period }},
    d.{{ period }} as partition_key,
    d.units_sold,
    d.revenue,
    d.review_count,
    round(cast(d.avg_rating as numeric), 2) as avg_rating,
    d.stock_change,
    p.price as list_price,
    p.inventory,
    {{ json_metrics([
        ('avg_unit_price', 'round(cast(d.avg_unit_price as numeric), 2)'),
        ('price_index', 'round(cast(d.avg_unit_price / nullif(p.price, 0) as numeric), 3)'),
    ]) }} as extra_metrics
from periods as d
join {{ ref('stg_products') }} as p on p.product_id = d.product_id
{%- endmacro %}
