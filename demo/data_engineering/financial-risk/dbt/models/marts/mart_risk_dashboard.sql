-- Across portfolios: each one's risk figures beside its counterparties' exposure, and how many
-- of those counterparties are over their limit.
with counterparties as (
    select
        p.portfolio_id,
        count(distinct p.counterparty_id) as counterparty_count,
        count(distinct case when e.utilisation > 1 then e.counterparty_id end) as counterparties_over_limit,
        max(e.utilisation) as max_counterparty_utilisation
    from {{ ref('stg_positions') }} as p
    join {{ ref('int_counterparty_exposure') }} as e on e.counterparty_id = p.counterparty_id
    group by p.portfolio_id
)
select
    r.portfolio_id,
    r.observations,
    round(cast(r.var_95 as numeric), 2) as var_95,
    round(cast(r.var_99 as numeric), 2) as var_99,
    round(cast(r.expected_shortfall_95 as numeric), 2) as expected_shortfall_95,
    round(cast(r.expected_shortfall_99 as numeric), 2) as expected_shortfall_99,
    round(cast(r.max_drawdown as numeric), 2) as max_drawdown,
    c.counterparty_count,
    c.counterparties_over_limit,
    round(cast(c.max_counterparty_utilisation as numeric), 4) as max_counterparty_utilisation,
    {{ dbt.current_timestamp() }} as _loaded_at
from {{ ref('int_portfolio_risk') }} as r
left join counterparties as c on c.portfolio_id = r.portfolio_id
