-- Per customer: tickets, how many are open, and the average hours to resolve.
select
    customer_id,
    count(*) as ticket_count,
    sum(case when resolved_at is null then 1 else 0 end) as open_tickets,
    avg(resolution_hours) as avg_resolution_hours
from {{ ref('stg_support_tickets') }}
group by customer_id
