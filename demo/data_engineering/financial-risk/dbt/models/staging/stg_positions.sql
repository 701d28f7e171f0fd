-- One row per position with a quantity (short positions are negative) and a positive price.
with ranked as (
    select
        position_id, portfolio_id, instrument_id, counterparty_id, quantity,
        cast(entry_price as {{ dbt.type_float() }}) as entry_price, entry_date,
        row_number() over (partition by position_id order by _loaded_at desc) as copy_number
    from {{ source('raw', 'raw_positions') }}
    where quantity is not null and quantity <> 0 and entry_price > 0
)
select position_id, portfolio_id, instrument_id, counterparty_id, quantity, entry_price, entry_date
from ranked
where copy_number = 1
