-- gold_technician_routing: per technician, what dispatch weighs: the work done and open, travel
-- against time on site (route efficiency), first-time fixes, SLA compliance, how often the skill
-- matched the order, the priority-weighted load still open, and the location cluster the work
-- comes from (the customers' region with most of the technician's orders) and how much of it is
-- in the technician's home region.
with clusters as (
    select
        technician_id,
        region,
        row_number() over (partition by technician_id order by count(*) desc, region) as cluster_rank
    from {{ ref('silver_workorders') }}
    group by technician_id, region
)
select
    t.technician_id,
    t.name,
    t.skill,
    t.region,
    count(w.work_order_id) as assigned_orders,
    coalesce(sum(case when w.status = 'completed' then 1 else 0 end), 0) as completed_orders,
    round(cast(1.0 * sum(case when w.status = 'completed' then w.first_time_fix else 0 end)
          / nullif(sum(case when w.status = 'completed' then 1 else 0 end), 0) as numeric), 3) as first_time_fix_rate,
    round(cast(avg(w.travel_minutes) as numeric), 1) as avg_travel_minutes,
    round(cast(1.0 * sum(w.actual_minutes) / nullif(sum(w.actual_minutes + w.travel_minutes), 0) as numeric), 3) as route_efficiency,
    round(cast(sum(case when w.status = 'completed' then w.actual_minutes + w.travel_minutes else 0 end) / 60.0 as numeric), 1) as busy_hours,
    round(cast(1.0 * sum(w.response_within_sla) / nullif(count(w.work_order_id), 0) as numeric), 3) as sla_compliance,
    round(cast(1.0 * sum(w.skill_match) / nullif(count(w.work_order_id), 0) as numeric), 3) as skill_match_rate,
    coalesce(sum(case when w.status in ('open', 'assigned') then w.complexity_score else 0 end), 0) as open_load,
    max(c.region) as location_cluster,
    round(cast(1.0 * sum(case when w.region = t.region then 1 else 0 end) / nullif(count(w.work_order_id), 0) as numeric), 3) as home_region_share
from {{ ref('stg_technicians') }} as t
left join {{ ref('silver_workorders') }} as w on w.technician_id = t.technician_id
left join clusters as c on c.technician_id = t.technician_id and c.cluster_rank = 1
group by t.technician_id, t.name, t.skill, t.region
