{#- A 1-to-5 score for one RFM dimension: the customer's quintile, 5 the best. `order_by` sorts
    the best first (most recent, most frequent, highest spend). -#}
{% macro rfm_score(order_by) -%}
    6 - ntile(5) over (order by {{ order_by }})
{%- endmacro %}
