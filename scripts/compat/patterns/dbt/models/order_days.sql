{%- set span = local_utils.day_span(ref('orders'), 'ordered_on') -%}
select
    o.id,
    {{ span }} as days_in_data,
    '{{ local_utils.label() }}' as label
from {{ ref('orders') }} o
