-- gold_maintenance_features: per machine, its health from telemetry (fault and warning rates,
-- temperature, vibration), its repair history (mean hours between faults, mean time to repair)
-- a failure risk class and how urgently it needs maintenance: immediate when the risk is high and
-- anomalies recur (two or more anomalous days), soon for any other high or medium risk.
with telemetry as (
    select
        equipment_id,
        sum(readings) as readings,
        sum(fault_count) as faults,
        sum(warning_count) as warnings,
        sum(is_anomalous) as anomalous_days,
        avg(avg_temperature_c) as avg_temperature_c,
        max(max_vibration_mm_s) as max_vibration_mm_s,
        min(reading_date) as first_day,
        max(reading_date) as last_day
    from {{ ref('silver_equipment') }}
    group by equipment_id
),
repairs as (
    select
        equipment_id,
        count(*) as repair_orders,
        avg(case when status = 'completed' then actual_minutes end) as mttr_minutes,
        sum(total_cost) as repair_cost
    from {{ ref('silver_workorders') }}
    where service_type = 'repair'
    group by equipment_id
),
rated as (
    select
        e.equipment_id,
        e.customer_id,
        e.equipment_type,
        e.install_date,
        coalesce(t.readings, 0) as readings,
        coalesce(t.faults, 0) as faults,
        coalesce(t.warnings, 0) as warnings,
        coalesce(t.anomalous_days, 0) as anomalous_days,
        round(cast(t.avg_temperature_c as numeric), 2) as avg_temperature_c,
        t.max_vibration_mm_s,
        round(cast({{ dbt.datediff('t.first_day', 't.last_day', 'day') }} * 24.0 / nullif(t.faults, 0) as numeric), 1) as mean_hours_between_faults,
        coalesce(r.repair_orders, 0) as repair_orders,
        round(cast(r.mttr_minutes as numeric), 1) as mttr_minutes,
        round(cast(coalesce(r.repair_cost, 0) as numeric), 2) as repair_cost,
        coalesce(1.0 * t.faults / nullif(t.readings, 0), 0) as fault_rate,
        coalesce(1.0 * t.warnings / nullif(t.readings, 0), 0) as warning_rate
    from {{ ref('stg_equipment') }} as e
    left join telemetry as t on t.equipment_id = e.equipment_id
    left join repairs as r on r.equipment_id = e.equipment_id
)
select
    *,
    round(cast({{ bounded('100 - 1000 * fault_rate - 200 * warning_rate - 5 * repair_orders', 0, 100) }} as numeric), 1) as health_score,
    case when fault_rate >= 0.05 or repair_orders >= 5 then 'high'
         when fault_rate > 0 or repair_orders >= 2 then 'medium'
         else 'low' end as failure_risk,
    case when (fault_rate >= 0.05 or repair_orders >= 5) and anomalous_days >= 2 then 'immediate'
         when fault_rate > 0 or repair_orders >= 2 then 'soon'
         else 'routine' end as maintenance_urgency
from rated
