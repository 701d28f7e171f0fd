-- The mart's total spend is the completed transactions' total, to the cent.
select *
from (select sum(total_spend) as mart_total from {{ ref('mart_customer_360') }}) as m,
     (select round(cast(sum(amount) as numeric), 2) as source_total from {{ ref('stg_transactions') }}) as t
where abs(m.mart_total - t.source_total) > 0.01 * (select count(*) from {{ ref('mart_customer_360') }})
