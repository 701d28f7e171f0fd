import Foundation
import Prometheus

/// What `floe serve` counts, exposed at `/metrics` in Prometheus' text format: requests by
/// endpoint and status with their latency, what answered the queries (a rollup, the models, a
/// remembered answer), the warehouse's failures, and the queries running now. One registry per
/// server (not the process-wide MetricsSystem), so servers in one process count apart.
final class ServeMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    private func descriptor(_ name: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "floe", subsystem: "serve", metricName: name, unitName: unit, helpText: help)
    }

    /// One HTTP request (`load`, `sql`, `dry-run`, `meta`, `graphql`, `readyz`) or SQL API query (`sql_api`).
    func request(_ endpoint: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: descriptor("requests", unit: "total", "Requests by endpoint and HTTP status (the SQL API's queries under sql_api, with the status the REST API would answer)."),
                             labels: [("endpoint", endpoint), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: descriptor("request_duration", unit: "seconds", "How long requests took, by endpoint."),
                                       labels: [("endpoint", endpoint)], buckets: latencyBuckets).record(duration)
    }

    /// A query that got no answer, by the status it was answered with: the warehouse failed it
    /// (500), could not be reached (503) or did not answer in time (504); other statuses are the
    /// client's (a bad query, a refused token) and not counted here.
    func failed(status: Int) {
        let kind = switch status {
        case 500: "error"
        case 503: "unreachable"
        case 504: "timeout"
        default: ""
        }
        guard !kind.isEmpty else { return }
        registry.makeCounter(descriptor: descriptor("engine_errors", unit: "total", "Queries the warehouse failed (error), could not be reached for (unreachable) or did not answer in time (timeout)."),
                             labels: [("kind", kind)]).increment()
    }

    /// What answered a query, as the request log says it: `rollup NAME`, `models`, `remembered
    /// answer`; a list of them for a multi-query request, separated by `; `.
    func answered(_ note: String?) {
        for part in (note ?? "").split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if part.hasPrefix("rollup ") {
                registry.makeCounter(descriptor: descriptor("rollup_hits", unit: "total", "Queries a rollup answered, by rollup."),
                                     labels: [("rollup", String(part.dropFirst("rollup ".count)))]).increment()
            } else if part == "models" {
                registry.makeCounter(descriptor: descriptor("rollup_misses", unit: "total", "Queries no rollup could answer: the models did."),
                                     labels: []).increment()
            } else if part == "remembered answer" {
                registry.makeCounter(descriptor: descriptor("answer_cache_hits", unit: "total", "Queries answered from a remembered answer on an unchanged warehouse."),
                                     labels: []).increment()
            }
        }
    }

    /// The exposition, with the queries running now.
    func exposition(inFlight: Int) -> String {
        registry.makeGauge(descriptor: descriptor("queries_in_flight", unit: "", "Queries running on the warehouse now."), labels: [])
            .set(Double(inFlight))
        return registry.emitToString()
    }
}
