-- Sensor readings; a reading that lost its temperature or vibration keeps the rest.
select
    reading_id,
    equipment_id,
    reading_time,
    cast(temperature_c as {{ dbt.type_float() }}) as temperature_c,
    cast(vibration_mm_s as {{ dbt.type_float() }}) as vibration_mm_s,
    cast(power_kw as {{ dbt.type_float() }}) as power_kw,
    lower(status) as status
from {{ source('service', 'raw_telemetry') }}
where equipment_id is not null
