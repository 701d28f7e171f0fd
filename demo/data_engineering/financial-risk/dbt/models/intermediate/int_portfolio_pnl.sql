-- Each portfolio's profit and loss per price observation: every position times its
-- instrument's return at that observation.
select
    p.portfolio_id,
    m.price_date,
    sum(p.quantity * p.entry_price * m.daily_return) as pnl
from {{ ref('stg_positions') }} as p
join {{ ref('stg_market_data') }} as m on m.instrument_id = p.instrument_id
where m.daily_return is not null
group by p.portfolio_id, m.price_date
