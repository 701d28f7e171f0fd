-- Every staged work order has its equipment, customer, technician and SLA: none is lost in the
-- silver join, and the technicians' counts add up to them.
select 'silver' as layer, (select count(*) from {{ ref('stg_work_orders') }}) as staged,
       (select count(*) from {{ ref('silver_workorders') }}) as reached
where (select count(*) from {{ ref('stg_work_orders') }}) <> (select count(*) from {{ ref('silver_workorders') }})
union all
select 'routing', (select count(*) from {{ ref('stg_work_orders') }}),
       (select sum(assigned_orders) from {{ ref('gold_technician_routing') }})
where (select count(*) from {{ ref('stg_work_orders') }}) <> (select sum(assigned_orders) from {{ ref('gold_technician_routing') }})
