-- Revenue by month and region: one row per month, a column per region of var('regions'), and
-- the total (revenue-bearing orders only). Incremental: each run recomputes the months from a
-- week before the newest one loaded (late orders arrive up to a week late) and replaces them.
{{
    config(
        materialized='incremental',
        unique_key='order_month',
        incremental_strategy='delete+insert'
    )
}}
select
    order_month,
{%- for region in var('regions') %}
    round(cast(sum(case when region = '{{ region }}' then subtotal else 0 end) as numeric), 2) as revenue_{{ region | lower }},
{%- endfor %}
    round(cast(sum(subtotal) as numeric), 2) as revenue_total,
    count(distinct order_id) as order_count,
    sum(quantity) as units_sold
from {{ ref('int_order_items_enriched') }}
where counts_as_revenue
{% if is_incremental() %}
  and order_month >= (select {{ dbt.date_trunc('month', dbt.dateadd('day', -7, 'max(order_month)')) }} from {{ this }})
{% endif %}
group by order_month
