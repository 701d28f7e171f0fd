-- Scores and shares stay in their ranges.
select 'churn' as score, customer_id as entity_id, churn_score as value
from {{ ref('gold_churn_features') }}
where churn_score < 0 or churn_score > 1
union all
select 'health', equipment_id, health_score
from {{ ref('gold_maintenance_features') }}
where health_score < 0 or health_score > 100
union all
select 'first_time_fix', technician_id, first_time_fix_rate
from {{ ref('gold_technician_routing') }}
where first_time_fix_rate < 0 or first_time_fix_rate > 1
union all
select 'customer_health', customer_id, health_score
from {{ ref('silver_customer_profiles') }}
where health_score < 0 or health_score > 100
