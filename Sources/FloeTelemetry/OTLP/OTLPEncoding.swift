import FloeCore
import Foundation

/// OTLP's protobuf messages for traces and metrics (opentelemetry-proto v1:
/// `ExportTraceServiceRequest`, `ExportMetricsServiceRequest`), as the HTTP/protobuf transport
/// posts them to `/v1/traces` and `/v1/metrics`.
public enum OTLPEncoding {
    /// The resource: `service.name` and what else describes the process.
    public struct Resource: Sendable {
        public var attributes: [(String, TelemetryValue)]

        public init(serviceName: String, attributes: [(String, TelemetryValue)] = []) {
            self.attributes = [("service.name", .string(serviceName)), ("service.version", .string(FloeVersion.current)),
                               ("telemetry.sdk.name", .string("floe")), ("telemetry.sdk.language", .string("swift")),
                               ("telemetry.sdk.version", .string(FloeVersion.current))] + attributes
        }
    }

    static let scopeName = "floe"

    public static func traces(_ spans: [SpanData], resource: Resource) -> Data {
        request(resource: resource) { scopeSpans in
            for span in spans { scopeSpans.message(2) { write(span, into: &$0) } }
        }
    }

    /// An export request: one resource, floe's instrumentation scope, and what `items` writes
    /// into the scope's list (spans or metrics, field 2). Traces and metrics share the layout:
    /// `Resource{Spans,Metrics}` holds the resource (1) and the scope lists (2), each
    /// `Scope{Spans,Metrics}` its scope (1) and the items (2).
    private static func request(resource: Resource, _ items: (inout ProtobufWriter) -> Void) -> Data {
        var request = ProtobufWriter()
        request.message(1) { resourceItems in
            resourceItems.message(1) { write(resource, into: &$0) }
            resourceItems.message(2) { scopeItems in
                scopeItems.message(1) { scope in
                    scope.string(1, scopeName)
                    scope.string(2, FloeVersion.current)
                }
                items(&scopeItems)
            }
        }
        return request.data
    }

    private static func write(_ resource: Resource, into writer: inout ProtobufWriter) {
        for (key, value) in resource.attributes { writer.message(1) { write(key, value, into: &$0) } }
    }

    private static func write(_ span: SpanData, into writer: inout ProtobufWriter) {
        writer.bytes(1, span.identity.traceID)
        writer.bytes(2, span.identity.spanID)
        if let parent = span.parentSpanID { writer.bytes(4, parent) }
        writer.string(5, span.name)
        writer.uint(6, UInt64(span.kind.rawValue))
        writer.fixed64(7, nanoseconds(span.start))
        writer.fixed64(8, nanoseconds(max(span.end, span.start)))
        for (key, value) in span.attributes { writer.message(9) { write(key, value, into: &$0) } }
        for event in span.events {
            writer.message(11) { message in
                message.fixed64(1, nanoseconds(event.time))
                message.string(2, event.name)
                for (key, value) in event.attributes { message.message(3) { write(key, value, into: &$0) } }
            }
        }
        writer.message(15) { status in
            if let error = span.error {
                status.string(2, error)
                status.uint(3, 2)
            }
        }
        // W3C trace flags: sampled.
        writer.fixed32(16, 0x01)
    }

    private static func write(_ key: String, _ value: TelemetryValue, into writer: inout ProtobufWriter) {
        writer.string(1, key)
        writer.message(2) { any in
            // AnyValue's members are a oneof: set even at their default.
            switch value {
            case .string(let text): any.string(1, text, always: true)
            case .bool(let flag): any.bool(2, flag, always: true)
            case .int(let number): any.int(3, number, always: true)
            case .double(let number): any.double(4, number, always: true)
            }
        }
    }

    /// One data point of a metric.
    public struct DataPoint: Sendable {
        public var attributes: [(String, TelemetryValue)]
        public var value: Double

        public init(attributes: [(String, TelemetryValue)], value: Double) {
            self.attributes = attributes
            self.value = value
        }
    }

    /// A metric: a gauge, or a monotonic sum (a counter) over [start, time].
    public struct Metric: Sendable {
        public var name: String
        public var description: String
        public var unit: String
        public var monotonicSum: Bool
        public var points: [DataPoint]

        public init(name: String, description: String, unit: String, monotonicSum: Bool, points: [DataPoint]) {
            self.name = name
            self.description = description
            self.unit = unit
            self.monotonicSum = monotonicSum
            self.points = points
        }
    }

    public static func metrics(_ metrics: [Metric], resource: Resource, start: Date, time: Date) -> Data {
        request(resource: resource) { scopeMetrics in
            for metric in metrics {
                scopeMetrics.message(2) { message in
                    message.string(1, metric.name)
                    message.string(2, metric.description)
                    message.string(3, metric.unit)
                    // gauge = 5, sum = 7; both hold data points in field 1.
                    message.message(metric.monotonicSum ? 7 : 5) { body in
                        for point in metric.points {
                            body.message(1) { data in
                                for (key, value) in point.attributes { data.message(7) { write(key, value, into: &$0) } }
                                data.fixed64(2, nanoseconds(start))
                                data.fixed64(3, nanoseconds(time))
                                // as_double = 4, a oneof member: written even at zero.
                                data.double(4, point.value, always: true)
                            }
                        }
                        if metric.monotonicSum {
                            body.uint(2, 2)  // AGGREGATION_TEMPORALITY_CUMULATIVE
                            body.bool(3, true)
                        }
                    }
                }
            }
        }
    }

    static func nanoseconds(_ date: Date) -> UInt64 {
        UInt64(max(0, date.timeIntervalSince1970 * 1_000_000_000))
    }
}
