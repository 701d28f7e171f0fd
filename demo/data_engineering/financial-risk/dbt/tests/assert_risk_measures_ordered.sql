-- VaR 99 is at least VaR 95, expected shortfall at least VaR at the same level, drawdown not negative.
select *
from {{ ref('int_portfolio_risk') }}
where var_99 < var_95
   or expected_shortfall_95 < var_95
   or expected_shortfall_99 < var_99
   or max_drawdown < 0
