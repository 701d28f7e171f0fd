-- One row per product: a product sent twice (live demo batches inject duplicates) is kept once.
with ranked as (
    select
        product_id,
        name as product_name,
        category,
        {{ cents_to_dollars('price_cents') }} as price,
        row_number() over (partition by product_id order by name) as copy_number
    from {{ source('raw', 'raw_products') }}
    where product_id is not null
)
select product_id, product_name, category, price
from ranked
where copy_number = 1
