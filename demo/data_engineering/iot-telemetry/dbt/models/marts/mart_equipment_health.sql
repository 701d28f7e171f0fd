-- Per piece of equipment: its sensors and readings, how many readings were anomalous, when it
-- was last maintained, and a health score from 0 to 100 (anomalies and a missing maintenance
-- record cost points).
with readings as (
    select s.equipment_id, count(*) as reading_count, sum(a.is_anomaly) as anomaly_count
    from {{ ref('int_anomaly_detection') }} as a
    join {{ ref('stg_sensors') }} as s on s.sensor_id = a.sensor_id
    group by s.equipment_id
),
sensors as (
    select equipment_id, count(*) as sensor_count from {{ ref('stg_sensors') }} group by equipment_id
),
maintenance as (
    select equipment_id, max(performed_at) as last_maintenance, count(*) as maintenance_count
    from {{ ref('stg_maintenance') }}
    group by equipment_id
),
scored as (
    select
        sensors.equipment_id,
        100.0
            - 400.0 * coalesce(readings.anomaly_count, 0) / (case when coalesce(readings.reading_count, 0) > 0 then readings.reading_count else 1 end)
            - case when maintenance.last_maintenance is null then 20.0 else 0.0 end as raw_score
    from sensors
    left join readings on readings.equipment_id = sensors.equipment_id
    left join maintenance on maintenance.equipment_id = sensors.equipment_id
)
select
    sensors.equipment_id,
    sensors.sensor_count,
    coalesce(readings.reading_count, 0) as reading_count,
    coalesce(readings.anomaly_count, 0) as anomaly_count,
    maintenance.last_maintenance,
    coalesce(maintenance.maintenance_count, 0) as maintenance_count,
    round(cast(case
        when raw_score < 0 then 0.0
        when raw_score > 100 then 100.0
        else raw_score
    end as numeric), 1) as health_score,
    {{ dbt.current_timestamp() }} as _loaded_at
from sensors
join scored on scored.equipment_id = sensors.equipment_id
left join readings on readings.equipment_id = sensors.equipment_id
left join maintenance on maintenance.equipment_id = sensors.equipment_id
