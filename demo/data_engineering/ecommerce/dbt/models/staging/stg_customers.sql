-- One row per customer (its latest version), e-mail normalized, region checked.
with ranked as (
    select
        customer_id,
        trim(name) as customer_name,
        {{ clean_text('email') }} as email,
        upper(trim(region)) as region,
        created_at,
        updated_at,
        row_number() over (partition by customer_id order by updated_at desc) as version_rank
    from {{ source('raw', 'raw_customers') }}
    where customer_id is not null
)
select customer_id, customer_name, email, region, created_at, updated_at
from ranked
where version_rank = 1
