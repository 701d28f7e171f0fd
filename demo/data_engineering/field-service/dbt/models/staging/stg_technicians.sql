select technician_id, name, skill, region, round(cast(hourly_rate as numeric), 2) as hourly_rate
from {{ source('service', 'raw_technicians') }}
