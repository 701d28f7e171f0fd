-- gold_churn_features: per customer, the signals that precede attrition: complaints (a rating of
-- 1 or 2), SLA breaches, late or missing payments and no service in the last 30 days; a churn
-- score that weights them (0 to 1) and a risk level.
with service as (
    select
        customer_id,
        count(*) as work_orders,
        sum(case when {{ dbt.datediff('opened_at', "'" ~ var('as_of') ~ "'", 'day') }} <= 30 then 1 else 0 end) as orders_last_30d,
        sum(case when satisfaction <= 2 then 1 else 0 end) as complaints,
        count(satisfaction) as rated_orders,
        avg(response_minutes) as avg_response_minutes,
        sum(1 - response_within_sla) as sla_breaches
    from {{ ref('silver_workorders') }}
    group by customer_id
),
billing as (
    select
        customer_id,
        count(*) as invoices,
        sum(case when days_to_pay is null or days_to_pay > {{ var('payment_terms_days') }} then 1 else 0 end) as late_payments,
        sum(case when days_to_pay is null then amount else 0 end) as unpaid_amount
    from {{ ref('stg_invoices') }}
    group by customer_id
),
shares as (
    select
        p.customer_id,
        p.segment,
        p.lifetime_value,
        coalesce(s.work_orders, 0) as work_orders,
        coalesce(s.orders_last_30d, 0) as orders_last_30d,
        coalesce(s.complaints, 0) as complaints,
        round(cast(s.avg_response_minutes as numeric), 1) as avg_response_minutes,
        coalesce(1.0 * s.complaints / nullif(s.rated_orders, 0), 0) as complaint_share,
        coalesce(1.0 * s.sla_breaches / nullif(s.work_orders, 0), 0) as sla_breach_share,
        coalesce(1.0 * b.late_payments / nullif(b.invoices, 0), 0) as late_payment_share,
        round(cast(coalesce(b.unpaid_amount, 0) as numeric), 2) as unpaid_amount
    from {{ ref('silver_customer_profiles') }} as p
    left join service as s on s.customer_id = p.customer_id
    left join billing as b on b.customer_id = p.customer_id
),
scored as (
    select
        *,
        round(cast(0.4 * complaint_share + 0.2 * sla_breach_share + 0.3 * late_payment_share
              + 0.1 * case when orders_last_30d = 0 then 1 else 0 end as numeric), 3) as churn_score
    from shares
)
select
    customer_id, segment, lifetime_value, work_orders, orders_last_30d, complaints,
    avg_response_minutes,
    round(cast(complaint_share as numeric), 3) as complaint_share,
    round(cast(sla_breach_share as numeric), 3) as sla_breach_share,
    round(cast(late_payment_share as numeric), 3) as late_payment_share,
    unpaid_amount,
    churn_score,
    case when churn_score >= 0.4 then 'high' when churn_score >= 0.2 then 'medium' else 'low' end as risk_level
from scored
