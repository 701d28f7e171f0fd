-- silver_customer_profiles: one row per customer: contact and contract, the equipment it runs,
-- its service history, what it has been billed (its lifetime value so far) and a health score
-- (0 to 100: satisfaction weighs 70, the share of its orders completed 30; an unrated customer
-- counts as neutral, 3 of 5).
with equipment as (
    select customer_id, count(*) as equipment_count from {{ ref('stg_equipment') }} group by customer_id
),
service as (
    select
        customer_id,
        count(*) as work_orders,
        sum(case when status = 'completed' then 1 else 0 end) as completed_orders,
        avg(satisfaction) as avg_satisfaction
    from {{ ref('silver_workorders') }}
    group by customer_id
),
billing as (
    select customer_id, count(*) as invoices, sum(amount) as billed
    from {{ ref('stg_invoices') }}
    group by customer_id
)
select
    c.customer_id,
    c.company,
    c.email,
    c.segment,
    c.sla_tier,
    c.region,
    c.contract_start,
    {{ dbt.datediff('c.contract_start', "'" ~ var('as_of') ~ "'", 'day') }} as tenure_days,
    coalesce(e.equipment_count, 0) as equipment_count,
    coalesce(s.work_orders, 0) as work_orders,
    coalesce(s.completed_orders, 0) as completed_orders,
    round(cast(s.avg_satisfaction as numeric), 2) as avg_satisfaction,
    coalesce(b.invoices, 0) as invoices,
    round(cast(coalesce(b.billed, 0) as numeric), 2) as lifetime_value,
    round(cast(70 * coalesce(s.avg_satisfaction, 3) / 5
          + 30 * coalesce(1.0 * s.completed_orders / nullif(s.work_orders, 0), 1) as numeric), 1) as health_score
from {{ ref('stg_customers') }} as c
left join equipment as e on e.customer_id = c.customer_id
left join service as s on s.customer_id = c.customer_id
left join billing as b on b.customer_id = c.customer_id
