select
    country,
{%- for status in var('statuses') %}
    sum(case when status = '{{ status }}' then amount else 0 end) as {{ status }}_amount,
{%- endfor %}
    count(*) as order_count
from {{ ref('int_orders') }}
group by country
