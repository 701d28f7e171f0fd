-- Work orders, one row each (a resent order arrives again later; the latest wins), with service
-- types and statuses in lower case and priorities mapped onto P1..P4.
with ranked as (
    select
        work_order_id,
        equipment_id,
        technician_id,
        lower(trim(service_type)) as service_type,
        required_skill,
        {{ normalize_priority('priority') }} as priority,
        lower(status) as status,
        opened_at,
        cast(response_minutes as {{ dbt.type_int() }}) as response_minutes,
        cast(estimated_minutes as {{ dbt.type_int() }}) as estimated_minutes,
        cast(actual_minutes as {{ dbt.type_int() }}) as actual_minutes,
        travel_minutes,
        round(cast(parts_cost as numeric), 2) as parts_cost,
        cast(first_time_fix as {{ dbt.type_int() }}) as first_time_fix,
        cast(satisfaction as {{ dbt.type_int() }}) as satisfaction,
        row_number() over (partition by work_order_id order by opened_at desc, _loaded_at desc) as version_rank
    from {{ source('service', 'raw_work_orders') }}
    where work_order_id is not null
)
select
    work_order_id, equipment_id, technician_id, service_type, required_skill, priority, status,
    opened_at, response_minutes, estimated_minutes, actual_minutes, travel_minutes, parts_cost,
    first_time_fix, satisfaction
from ranked
where version_rank = 1
