-- Each reading against its sensor's other readings (leave-one-out, so a spike does not hide in
-- its own spread): anomalous when it is more than var('anomaly_sigmas') standard deviations from
-- their mean. Sensors with fewer than three readings cannot be judged.
with compared as (
    select
        r.reading_id,
        r.sensor_id,
        r.reading_time,
        r.value,
        m.reading_count,
        (m.sum_value - r.value) / (m.reading_count - 1) as others_mean,
        {{ sample_stddev_without('r.value', 'm.reading_count', 'm.sum_value', 'm.sum_value_squared') }} as others_stddev
    from {{ ref('stg_readings') }} as r
    join {{ ref('int_sensor_metrics') }} as m on m.sensor_id = r.sensor_id
    where m.reading_count >= 3
)
select
    reading_id,
    sensor_id,
    reading_time,
    value,
    others_mean,
    others_stddev,
    case
        when others_stddev > 0 and abs(value - others_mean) > {{ var('anomaly_sigmas') }} * others_stddev then 1
        else 0
    end as is_anomaly
from compared
