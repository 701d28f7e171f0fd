-- FakeUserMetricsDaily: each user's day of orders, spend, cancellations, promotions, payments and
-- reviews. extra_metrics carries the average rating given and the payment success rate.
{{ user_metrics('metric_date') }}
