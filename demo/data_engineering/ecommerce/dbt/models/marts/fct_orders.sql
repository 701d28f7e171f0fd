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
-- Only orders newer than the newest one already loaded.
where ordered_at > (select max(ordered_at) from {{ this }})
{% endif %}
