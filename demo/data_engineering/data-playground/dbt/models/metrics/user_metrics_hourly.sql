-- FakeUserMetricsHourly: the same measures as the daily table, per hour with activity.
{{ user_metrics('metric_hour') }}
