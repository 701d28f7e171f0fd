import Foundation

/// Sends spans and metrics to an OTLP collector over HTTP/protobuf (`<endpoint>/v1/traces`,
/// `<endpoint>/v1/metrics`), batched, through ``DeliveryQueue``s: recording never waits for the
/// collector, and ``close()`` says what could not be delivered.
public final class OTLPExporter: @unchecked Sendable {
    public let resource: OTLPEncoding.Resource
    public let tracesURL: String
    public let metricsURL: String
    private let traces: DeliveryQueue
    private let metrics: DeliveryQueue
    private let batchSize: Int
    private let lock = NSLock()
    private var pending: [SpanData] = []
    private var timer: DispatchSourceTimer?

    /// `endpoint` is the collector's base URL (`http://jaeger:4318`); `headers` go with every
    /// request (OTEL_EXPORTER_OTLP_HEADERS).
    public init(endpoint: String, serviceName: String, headers: [(String, String)] = [], timeout: Double = 5, batchSize: Int = 256) {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        tracesURL = base + "/v1/traces"
        metricsURL = base + "/v1/metrics"
        resource = OTLPEncoding.Resource(serviceName: serviceName)
        traces = DeliveryQueue(sink: HTTPSink(url: tracesURL, contentType: "application/x-protobuf", headers: headers, timeout: timeout), workers: 1)
        metrics = DeliveryQueue(sink: HTTPSink(url: metricsURL, contentType: "application/x-protobuf", headers: headers, timeout: timeout), workers: 1)
        self.batchSize = batchSize
    }

    /// Sends what was recorded every `seconds` too, for a long-lived process (`floe serve`),
    /// whose spans would otherwise wait for a full batch.
    public func flushPeriodically(every seconds: Double) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "floe.otlp.flush"))
        timer.schedule(deadline: .now() + seconds, repeating: seconds)
        timer.setEventHandler { [weak self] in self?.flush() }
        timer.resume()
        lock.withLock { self.timer = timer }
    }

    public func record(_ span: SpanData) {
        let batch: [SpanData]? = lock.withLock {
            pending.append(span)
            guard pending.count >= batchSize else { return nil }
            defer { pending.removeAll() }
            return pending
        }
        if let batch { traces.enqueue(OTLPEncoding.traces(batch, resource: resource)) }
    }

    /// Sends what was recorded since the last batch.
    public func flush() {
        let batch = lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
        if !batch.isEmpty { traces.enqueue(OTLPEncoding.traces(batch, resource: resource)) }
    }

    public func record(_ metrics: [OTLPEncoding.Metric], start: Date, time: Date = Date()) {
        guard !metrics.isEmpty else { return }
        self.metrics.enqueue(OTLPEncoding.metrics(metrics, resource: resource, start: start, time: time))
    }

    /// Flushes, drains both queues (see ``DeliveryQueue/close(stall:limit:)``) and returns the
    /// warning to print when something was dropped.
    public func close() -> String? {
        lock.withLock { timer?.cancel() }
        flush()
        let (traces, metrics, tracesURL, metricsURL) = (traces, metrics, tracesURL, metricsURL)
        let found = DeliveryQueue.closeTogether([
            { traces.close().warning(what: "trace batch", destination: tracesURL) },
            { metrics.close().warning(what: "metrics batch", destination: metricsURL) },
        ]).compactMap { $0 }
        return found.isEmpty ? nil : found.joined(separator: "; ")
    }
}

/// Where OTLP goes for this process: the platform's `observability.otlp`, overridden as
/// OpenTelemetry's SDKs are, by OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT's base),
/// OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_HEADERS and OTEL_SDK_DISABLED, and by a flag.
public struct OTLPDestination: Sendable, Equatable {
    public var endpoint: String
    public var serviceName: String
    public var headers: [String]

    /// nil when nothing asks for OTLP, or it is switched off (`off`, OTEL_SDK_DISABLED=true).
    public static func resolve(configured: String?, serviceName: String?, flag: String?, environment: [String: String]) -> OTLPDestination? {
        if flag == "off" || environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return nil }
        var endpoint = flag ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? configured
        if flag == nil, let traces = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], traces.hasSuffix("/v1/traces") {
            endpoint = String(traces.dropLast("/v1/traces".count))
        }
        guard let endpoint, !endpoint.isEmpty else { return nil }
        let headers = (environment["OTEL_EXPORTER_OTLP_HEADERS"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { $0.contains("=") }
        return OTLPDestination(endpoint: endpoint, serviceName: environment["OTEL_SERVICE_NAME"] ?? serviceName ?? "floe", headers: headers)
    }

    public func exporter() -> OTLPExporter {
        OTLPExporter(endpoint: endpoint, serviceName: serviceName, headers: headers.map { header in
            let parts = header.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        })
    }
}
