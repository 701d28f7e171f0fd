-- Per product: units sold, revenue and orders (revenue-bearing orders only).
select
    product_id,
    product_name,
    category,
    sum(quantity) as units_sold,
    sum(subtotal) as revenue,
    count(distinct order_id) as order_count
from {{ ref('int_order_items_enriched') }}
where counts_as_revenue
group by product_id, product_name, category
