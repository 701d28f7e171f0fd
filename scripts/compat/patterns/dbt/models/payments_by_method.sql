{#- The methods are read from the data: rendered when the payments are loaded. -#}
{%- set methods = local_utils.distinct_values(ref('payments'), 'method') -%}
select
    order_id,
    {%- for method in methods %}
    sum(case when method = '{{ method }}' then {{ local_utils.money('amount_cents') }} else 0 end) as {{ method }}_amount,
    {%- endfor %}
    sum({{ local_utils.money('amount_cents') }}) as total_amount
from {{ ref('payments') }}
group by order_id
