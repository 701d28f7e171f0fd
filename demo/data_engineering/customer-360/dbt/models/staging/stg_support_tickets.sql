-- Tickets with how long they took to resolve (null while open).
select
    ticket_id,
    customer_id,
    category,
    priority,
    created_at,
    resolved_at,
    case when resolved_at is not null then {{ hours_between('created_at', 'resolved_at') }} end as resolution_hours
from {{ source('raw', 'raw_support_tickets') }}
where customer_id is not null
