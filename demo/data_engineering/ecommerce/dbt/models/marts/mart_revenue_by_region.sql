-- One column of revenue per region in `var('regions')`, per month.
select
    order_month,
    {% for region in var('regions') -%}
    round(sum(case when region = '{{ region }}' then amount else 0 end), 2) as revenue_{{ region | lower }},
    {% endfor -%}
    round(sum(amount), 2) as revenue_total,
    count(*) as order_count
from {{ ref('fct_orders') }}
where status != 'returned'
group by order_month
order by order_month
