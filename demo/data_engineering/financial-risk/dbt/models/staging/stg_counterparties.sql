-- Counterparties with a rating from var('ratings') (else NR) and a positive limit.
select
    counterparty_id,
    name as counterparty_name,
    case when upper(trim(rating)) in ({% for r in var('ratings') %}'{{ r }}'{% if not loop.last %}, {% endif %}{% endfor %})
        then upper(trim(rating)) else 'NR' end as rating,
    country,
    exposure_limit
from {{ source('raw', 'raw_counterparties') }}
where counterparty_id is not null and exposure_limit > 0
