-- Health scores stay between 0 and 100.
select * from {{ ref('mart_equipment_health') }} where health_score < 0 or health_score > 100
