-- Each metric table has one row per entity and period.
{% set tables = [
    ('shop_metrics_hourly', 'shop_id', 'metric_hour'),
    ('shop_metrics_daily', 'shop_id', 'metric_date'),
    ('user_metrics_daily', 'user_id', 'metric_date'),
    ('user_metrics_hourly', 'user_id', 'metric_hour'),
    ('product_metrics_daily', 'product_id', 'metric_date'),
    ('product_metrics_hourly', 'product_id', 'metric_hour'),
] %}
{% for model, key, period in tables %}
select '{{ model }}' as model, {{ key }} as entity_id, {{ period }} as period, count(*) as rows_per_key
from {{ ref(model) }}
group by {{ key }}, {{ period }}
having count(*) > 1
{% if not loop.last %}union all{% endif %}
{% endfor %}
