-- Revenue by region adds up to the total in every month, to the cent.
select *
from {{ ref('mart_revenue') }}
where abs(({% for region in var('regions') %}revenue_{{ region | lower }}{% if not loop.last %} + {% endif %}{% endfor %}) - revenue_total)
      > 0.01 * {{ var('regions') | length }}
