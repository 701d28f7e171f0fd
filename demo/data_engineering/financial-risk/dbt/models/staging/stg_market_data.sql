-- Prices per instrument in time order, with each observation's return on the one before.
select
    instrument_id,
    "date" as price_date,
    close_price,
    volume,
    volatility,
    close_price / lag(close_price) over (partition by instrument_id order by "date") - 1 as daily_return
from {{ source('raw', 'raw_market_data') }}
where close_price > 0
