-- One column of revenue per region in `var('regions')`, per month.
select
    order_month,
    {% for region in var('regions') -%}
    sum(case when region = '{{ region }}' then amount else 0 end) as revenue_{{ region | lower }},
    {% endfor -%}
    sum(amount) as revenue_total,
    count(*) as order_count
from {{ ref('fct_orders') }}
where status != 'returned'
group by order_month
