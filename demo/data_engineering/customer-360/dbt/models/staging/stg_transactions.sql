-- Completed transactions with an amount: one row per transaction (its latest copy).
with ranked as (
    select
        txn_id,
        customer_id,
        cast(amount as {{ dbt.type_float() }}) as amount,
        product_id,
        txn_date,
        status,
        row_number() over (partition by txn_id order by txn_date desc) as copy_number
    from {{ source('raw', 'raw_transactions') }}
    where customer_id is not null
      and amount is not null
      and amount > 0
)
select txn_id, customer_id, amount, product_id, txn_date, status
from ranked
where copy_number = 1
  and status = 'completed'
