-- silver_workorders: each work order with its customer (through the equipment), technician and
-- SLA targets; whether it met them, how long it took against the estimate, a complexity score
-- and what it cost.
select
    w.work_order_id,
    w.equipment_id,
    e.customer_id,
    c.region,
    w.technician_id,
    t.skill as technician_skill,
    w.required_skill,
    case when t.skill = w.required_skill or t.skill = 'general' then 1 else 0 end as skill_match,
    w.service_type,
    w.priority,
    w.status,
    w.opened_at,
    w.response_minutes,
    w.estimated_minutes,
    w.actual_minutes,
    w.travel_minutes,
    w.actual_minutes - w.estimated_minutes as duration_variance_minutes,
    s.response_sla_minutes,
    s.resolution_sla_minutes,
    case when w.response_minutes <= s.response_sla_minutes then 1 else 0 end as response_within_sla,
    case when w.status = 'completed' and w.response_minutes + w.actual_minutes <= s.resolution_sla_minutes
         then 1 else 0 end as resolved_within_sla,
    s.weight
        + case w.service_type when 'installation' then 3 when 'repair' then 2 else 1 end
        + case when w.actual_minutes > w.estimated_minutes then 1 else 0 end as complexity_score,
    w.first_time_fix,
    w.satisfaction,
    w.parts_cost,
    round(cast(w.actual_minutes / 60.0 * t.hourly_rate as numeric), 2) as labour_cost,
    round(cast(w.actual_minutes / 60.0 * t.hourly_rate + w.parts_cost as numeric), 2) as total_cost
from {{ ref('stg_work_orders') }} as w
join {{ ref('stg_equipment') }} as e on e.equipment_id = w.equipment_id
join {{ ref('stg_customers') }} as c on c.customer_id = e.customer_id
join {{ ref('stg_technicians') }} as t on t.technician_id = w.technician_id
join {{ ref('sla_thresholds') }} as s on s.priority = w.priority
