{# A snapshot: each order's history, by the day it was last changed. #}
{% snapshot orders_snapshot %}
{{ config(unique_key='id', strategy='timestamp', updated_at='ordered_on') }}
select id, customer, status, ordered_on from {{ ref('orders') }}
{% endsnapshot %}
