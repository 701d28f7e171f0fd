-- FakeUserShopProductMetricsDaily: each product's day of units and revenue (cancelled orders
-- excluded), reviews and stock changes, with its list price and stock. extra_metrics carries the
-- average price paid and how it compares with the list price.
{{ product_metrics('metric_date') }}
