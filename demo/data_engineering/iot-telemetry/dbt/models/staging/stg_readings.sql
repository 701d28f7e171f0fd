-- Readings with their sensor's unit: one row per reading (the latest copy of a reading sent
-- twice), no missing values, and no physically impossible ones (negative, or past the gauge).
with ranked as (
    select
        r.reading_id,
        r.sensor_id,
        r."timestamp" as reading_time,
        cast(r.value as {{ dbt.type_float() }}) as value,
        r._loaded_at,
        row_number() over (partition by r.reading_id order by r."timestamp" desc) as copy_number
    from {{ source('raw', 'raw_readings') }} as r
    where r.value is not null
      and r.value >= 0
      and r.value < 10000
)
select
    ranked.reading_id,
    ranked.sensor_id,
    ranked.reading_time,
    ranked.value,
    case s.sensor_type
        when 'temperature' then 'degC'
        when 'vibration' then 'mm/s'
        when 'pressure' then 'kPa'
        else 'percent'
    end as unit,
    ranked._loaded_at
from ranked
join {{ ref('stg_sensors') }} as s on s.sensor_id = ranked.sensor_id
where ranked.copy_number = 1
