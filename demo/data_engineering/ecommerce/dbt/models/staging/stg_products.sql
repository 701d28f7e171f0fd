-- One row per product, categorized, with its list price.
with ranked as (
    select
        product_id,
        name as product_name,
        {{ clean_text('category') }} as category,
        round(cast(price as numeric), 2) as price,
        created_at,
        row_number() over (partition by product_id order by created_at desc) as copy_number
    from {{ source('raw', 'raw_products') }}
    where product_id is not null
)
select product_id, product_name, category, price, created_at
from ranked
where copy_number = 1
