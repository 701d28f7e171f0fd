{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

select
    order_id,
    customer_id,
    product_id,
    quantity,
    amount,
    status,
    ordered_at,
    order_month,
    region,
    category,
    {{ dbt.current_timestamp() }} as _loaded_at
from {{ ref('int_orders_enriched') }}
{% if is_incremental() %}
-- Orders newer than a week before the newest one already loaded: late orders (up to the
-- synthetic data's 7 days) are merged in by their order_id instead of being missed.
where ordered_at > (select {{ dbt.dateadd('day', -7, 'max(ordered_at)') }} from {{ this }})
{% endif %}
