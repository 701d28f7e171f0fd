-- One row per sensor: a sensor record sent twice is kept once.
with ranked as (
    select
        sensor_id,
        equipment_id,
        lower(trim(sensor_type)) as sensor_type,
        location,
        installed_at,
        _loaded_at,
        row_number() over (partition by sensor_id order by _loaded_at desc) as copy_number
    from {{ source('raw', 'raw_sensors') }}
    where sensor_id is not null
)
select sensor_id, equipment_id, sensor_type, location, installed_at, _loaded_at
from ranked
where copy_number = 1
