select technician_id, name, skill, region, round(cast(hourly_rate as {{ dbt.type_float() }}), 2) as hourly_rate
from {{ source('service', 'raw_technicians') }}
