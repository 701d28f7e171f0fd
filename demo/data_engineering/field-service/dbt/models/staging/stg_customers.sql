-- Customers from the CRM: duplicate records merged (the latest update wins), segments
-- consolidated onto residential, commercial and industrial.
with ranked as (
    select
        customer_id,
        company,
        lower(trim(email)) as email,
        phone,
        lower(trim(segment)) as segment,
        sla_tier,
        city,
        country,
        region,
        contract_start,
        row_number() over (partition by customer_id order by updated_at desc, _loaded_at desc) as version_rank
    from {{ source('service', 'raw_customers') }}
    where customer_id is not null
)
select customer_id, company, email, phone, segment, sla_tier, city, country, region, contract_start
from ranked
where version_rank = 1
