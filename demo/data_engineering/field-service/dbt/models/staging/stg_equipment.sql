select equipment_id, customer_id, equipment_type, model, install_date
from {{ source('service', 'raw_equipment') }}
