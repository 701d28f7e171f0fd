-- Per sensor: how many readings, their average, range and spread, and the sums the anomaly
-- detection needs to compare each reading with the sensor's other readings.
select
    sensor_id,
    count(*) as reading_count,
    avg(value) as avg_value,
    min(value) as min_value,
    max(value) as max_value,
    -- From the sums, not stddev_samp: SQLite has no such aggregate of its own, and a view over
    -- floe's would not open in the sqlite3 CLI.
    case when count(*) > 1
        then sqrt(case when (sum(value * value) - sum(value) * sum(value) / count(*)) > 0
                       then (sum(value * value) - sum(value) * sum(value) / count(*)) / (count(*) - 1) else 0 end)
    end as stddev_value,
    sum(value) as sum_value,
    sum(value * value) as sum_value_squared,
    min(reading_time) as first_reading_at,
    max(reading_time) as last_reading_at
from {{ ref('stg_readings') }}
group by sensor_id
