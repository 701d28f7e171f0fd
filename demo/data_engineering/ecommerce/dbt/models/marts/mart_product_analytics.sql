-- Product performance: units, revenue, average selling price, and rank within the category.
select
    product_id,
    product_name,
    category,
    units_sold,
    round(cast(revenue as numeric), 2) as revenue,
    order_count,
    round(cast(revenue / units_sold as numeric), 2) as average_price,
    rank() over (partition by category order by revenue desc) as category_rank
from {{ ref('int_product_performance') }}
