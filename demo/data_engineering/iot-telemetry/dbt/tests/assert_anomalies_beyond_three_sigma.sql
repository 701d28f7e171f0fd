-- Every flagged reading is more than three standard deviations from its sensor's other readings,
-- and every reading that far is flagged.
select *
from {{ ref('int_anomaly_detection') }}
where (is_anomaly = 1 and abs(value - others_mean) <= 3 * others_stddev)
   or (is_anomaly = 0 and others_stddev > 0 and abs(value - others_mean) > 3 * others_stddev)
