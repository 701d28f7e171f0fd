-- Invoices; days_to_pay is NULL while an invoice is unpaid.
select
    invoice_id,
    customer_id,
    round(cast(amount as numeric), 2) as amount,
    issued_at,
    days_to_pay
from {{ source('service', 'raw_invoices') }}
