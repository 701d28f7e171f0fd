-- Maintenance records with an equipment id and a time.
select
    log_id,
    equipment_id,
    maintenance_type,
    performed_at,
    technician,
    _loaded_at
from {{ source('raw', 'raw_maintenance_log') }}
where equipment_id is not null
  and performed_at is not null
