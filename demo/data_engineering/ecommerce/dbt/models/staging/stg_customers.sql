-- One row per customer: raw rows arrive duplicated and with untidy e-mail addresses.
with ranked as (
    select
        customer_id,
        name as customer_name,
        {{ clean_text('email') }} as email,
        country,
        signup_date,
        row_number() over (partition by customer_id order by signup_date) as copy_number
    from {{ source('raw', 'raw_customers') }}
    where customer_id is not null
)
select customer_id, customer_name, email, country, signup_date
from ranked
where copy_number = 1
