-- Per counterparty: the gross exposure of its positions and how much of its limit that uses.
select
    c.counterparty_id,
    c.counterparty_name,
    c.rating,
    c.exposure_limit,
    coalesce(sum(abs(p.quantity * p.entry_price)), 0) as total_exposure,
    coalesce(sum(abs(p.quantity * p.entry_price)), 0) / c.exposure_limit as utilisation
from {{ ref('stg_counterparties') }} as c
left join {{ ref('stg_positions') }} as p on p.counterparty_id = c.counterparty_id
group by c.counterparty_id, c.counterparty_name, c.rating, c.exposure_limit
