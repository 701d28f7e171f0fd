-- silver_equipment: each machine's telemetry resampled to days: averages, peaks, warnings and
-- faults, the average temperature over its last seven days with readings, and an anomaly flag
-- (a fault, or vibration beyond the alarm level).
with daily as (
    select
        equipment_id,
        substr(cast(reading_time as {{ dbt.type_string() }}), 1, 10) as reading_date,
        count(*) as readings,
        avg(temperature_c) as avg_temperature_c,
        max(vibration_mm_s) as max_vibration_mm_s,
        avg(power_kw) as avg_power_kw,
        sum(case when status = 'warning' then 1 else 0 end) as warning_count,
        sum(case when status = 'fault' then 1 else 0 end) as fault_count
    from {{ ref('stg_telemetry') }}
    group by equipment_id, substr(cast(reading_time as {{ dbt.type_string() }}), 1, 10)
)
select
    d.equipment_id,
    e.customer_id,
    e.equipment_type,
    d.reading_date,
    d.readings,
    round(cast(d.avg_temperature_c as numeric), 2) as avg_temperature_c,
    round(cast(avg(d.avg_temperature_c) over (
        partition by d.equipment_id order by d.reading_date rows between 6 preceding and current row) as numeric), 2) as rolling_temperature_c,
    round(cast(d.max_vibration_mm_s as numeric), 2) as max_vibration_mm_s,
    round(cast(d.avg_power_kw as numeric), 2) as avg_power_kw,
    d.warning_count,
    d.fault_count,
    case when d.fault_count > 0 or d.max_vibration_mm_s > {{ var('vibration_alarm_mm_s', 9) }} then 1 else 0 end as is_anomalous
from daily as d
join {{ ref('stg_equipment') }} as e on e.equipment_id = d.equipment_id
