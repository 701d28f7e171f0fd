-- The registry holds each staged entity exactly once, under its type.
{% set entities = [('user', 'stg_users'), ('shop', 'stg_shops'), ('product', 'stg_products'),
                   ('order', 'stg_orders'), ('order_item', 'stg_order_items'), ('review', 'stg_reviews'),
                   ('payment_method', 'stg_payment_methods'), ('promotion', 'stg_promotions'),
                   ('invoice', 'stg_invoices'), ('inventory_log', 'stg_inventory_log')] %}
with staged as (
{% for entity_type, model in entities %}
    select '{{ entity_type }}' as entity_type, count(*) as staged from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
),
registered as (
    select entity_type, count(*) as registered from {{ ref('global_entity') }} group by entity_type
)
select s.entity_type, s.staged, r.registered
from staged as s
left join registered as r on r.entity_type = s.entity_type
where coalesce(r.registered, 0) <> s.staged
