-- Per portfolio, historical VaR at 95% and 99% (the loss at the worst 5% and 1% rank),
-- expected shortfall (the average loss over those tails), and the maximum drawdown of the
-- cumulative P&L (the largest fall from a peak).
with ranked as (
    select
        portfolio_id,
        price_date,
        pnl,
        row_number() over (partition by portfolio_id order by pnl, price_date) as loss_rank,
        count(*) over (partition by portfolio_id) as observations,
        sum(pnl) over (partition by portfolio_id order by price_date rows between unbounded preceding and current row) as cumulative
    from {{ ref('int_portfolio_pnl') }}
),
peaks as (
    select
        ranked.*,
        max(cumulative) over (partition by portfolio_id order by price_date rows between unbounded preceding and current row) as peak
    from ranked
)
select
    portfolio_id,
    max(observations) as observations,
    -max(case when loss_rank = {{ tail_rank(0.05, 'observations') }} then pnl end) as var_95,
    -max(case when loss_rank = {{ tail_rank(0.01, 'observations') }} then pnl end) as var_99,
    -avg(case when loss_rank <= {{ tail_rank(0.05, 'observations') }} then pnl end) as expected_shortfall_95,
    -avg(case when loss_rank <= {{ tail_rank(0.01, 'observations') }} then pnl end) as expected_shortfall_99,
    max(case when peak > 0 then peak else 0 end - cumulative) as max_drawdown
from peaks
group by portfolio_id
