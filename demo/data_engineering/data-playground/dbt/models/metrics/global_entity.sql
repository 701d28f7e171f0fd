-- GlobalEntity: the registry of every entity in the playground, its type and when it was
-- created; (event_time, entity_id) is the key, partition_key the creation day. Order items take
-- their order's time. The indexes are seed 003's: by type and time, for entity resolution, and
-- the key.
{{ config(indexes=[
    {'columns': ['entity_type', 'event_time']},
    {'columns': ['entity_id', 'entity_type']},
    {'columns': ['event_time', 'entity_id'], 'unique': true},
]) }}
{% set entities = [
    ('user', 'stg_users', 'user_id', 'event_time'),
    ('shop', 'stg_shops', 'shop_id', 'event_time'),
    ('product', 'stg_products', 'product_id', 'event_time'),
    ('order', 'stg_orders', 'order_id', 'event_time'),
    ('review', 'stg_reviews', 'review_id', 'event_time'),
    ('payment_method', 'stg_payment_methods', 'payment_method_id', 'event_time'),
    ('promotion', 'stg_promotions', 'promotion_id', 'event_time'),
    ('invoice', 'stg_invoices', 'invoice_id', 'event_time'),
    ('inventory_log', 'stg_inventory_log', 'log_id', 'event_time'),
] %}
{% for entity_type, model, key, time in entities %}
select
    {{ key }} as entity_id,
    '{{ entity_type }}' as entity_type,
    {{ time }} as event_time,
    {{ day_key(time) }} as partition_key
from {{ ref(model) }}
union all
{% endfor %}
select
    order_item_id as entity_id,
    'order_item' as entity_type,
    event_time,
    metric_date as partition_key
from {{ ref('int_order_lines') }}
where order_item_id is not null
