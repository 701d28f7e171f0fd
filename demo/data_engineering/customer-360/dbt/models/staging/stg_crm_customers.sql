-- One row per customer, e-mail normalized, segment tidied and checked against var('segments').
with ranked as (
    select
        customer_id,
        trim(name) as customer_name,
        nullif(lower(trim(email)), '') as email,
        lower(trim(segment)) as segment,
        signup_date,
        row_number() over (partition by customer_id order by _loaded_at desc) as copy_number
    from {{ source('raw', 'raw_customers') }}
    where customer_id is not null
)
select
    customer_id,
    customer_name,
    email,
    case when segment in ({% for s in var('segments') %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor %})
        then segment else 'unknown' end as segment,
    signup_date
from ranked
where copy_number = 1
