-- FakeUserShopProductMetricsHourly: the same measures as the daily table, per hour with activity.
{{ product_metrics('metric_hour') }}
