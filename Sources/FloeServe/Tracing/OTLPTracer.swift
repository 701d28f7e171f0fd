import FloeTelemetry
import Foundation
import Instrumentation
import Tracing

/// swift-distributed-tracing's `Tracer` over floe's OTLP exporter, so Hummingbird's
/// `TracingMiddleware` makes a server span per request: W3C `traceparent` is read from requests
/// (the span joins the caller's trace) and written to outgoing carriers; ended spans go to the
/// collector in batches. `floe serve` bootstraps it when OTLP is configured.
struct OTLPTracer: Tracer {
    let exporter: OTLPExporter

    private enum SpanKey: InstrumentationContextKey {
        typealias Value = TraceIdentity
    }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
        function: String, file fileID: String, line: UInt
    ) -> OTLPSpan {
        var context = context()
        let parent = context[SpanKey.self]
        let identity = parent?.child() ?? .newTrace()
        context[SpanKey.self] = identity
        let spanKind: SpanData.Kind = switch kind {
        case .server: .server
        case .client: .client
        default: .internal
        }
        return OTLPSpan(operationName: operationName, kind: spanKind, identity: identity, parent: parent?.spanID,
                        start: instant().nanosecondsSinceEpoch, context: context, exporter: exporter)
    }

    func forceFlush() { exporter.flush() }

    func extract<Carrier, Extract>(_ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract)
    where Extract: Extractor, Extract.Carrier == Carrier {
        if let header = extractor.extract(key: "traceparent", from: carrier), let identity = TraceIdentity(traceparent: header) {
            context[SpanKey.self] = identity
        }
    }

    func inject<Carrier, Inject>(_ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject)
    where Inject: Injector, Inject.Carrier == Carrier {
        if let identity = context[SpanKey.self] { injector.inject(identity.traceparent, forKey: "traceparent", into: &carrier) }
    }

    /// The span of `context`, for a child made by hand (a query's SQL on a worker thread).
    static func identity(of context: InstrumentationContext?) -> TraceIdentity? { context?[SpanKey.self] }
}

/// A span being recorded: its attributes, status and events kept under a lock until it ends.
final class OTLPSpan: Span, @unchecked Sendable {
    let context: InstrumentationContext
    private let lock = NSLock()
    private var name: String
    private var recorded = SpanAttributes()
    private var status: SpanStatus?
    private var events: [SpanEvent] = []
    private var ended = false
    private let kind: SpanData.Kind
    private let identity: TraceIdentity
    private let parent: [UInt8]?
    private let start: UInt64
    private let exporter: OTLPExporter

    init(operationName: String, kind: SpanData.Kind, identity: TraceIdentity, parent: [UInt8]?, start: UInt64, context: InstrumentationContext,
         exporter: OTLPExporter) {
        name = operationName
        self.kind = kind
        self.identity = identity
        self.parent = parent
        self.start = start
        self.context = context
        self.exporter = exporter
    }

    var operationName: String {
        get { lock.withLock { name } }
        set { lock.withLock { name = newValue } }
    }

    var attributes: SpanAttributes {
        get { lock.withLock { recorded } }
        set { lock.withLock { recorded = newValue } }
    }

    var isRecording: Bool { lock.withLock { !ended } }

    func setStatus(_ status: SpanStatus) { lock.withLock { self.status = status } }

    func addEvent(_ event: SpanEvent) { lock.withLock { events.append(event) } }

    func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        var attributes = attributes
        attributes["exception.type"] = String(describing: type(of: error))
        attributes["exception.message"] = String(describing: error)
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: attributes))
    }

    func addLink(_ link: SpanLink) {}

    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let end = instant().nanosecondsSinceEpoch
        let finished: SpanData? = lock.withLock {
            guard !ended else { return nil }
            ended = true
            let error = status.flatMap { $0.code == .error ? ($0.message ?? "error") : nil }
            return SpanData(identity: identity, parentSpanID: parent, name: name, kind: kind, start: Self.date(start), end: Self.date(end),
                            attributes: Self.values(recorded), error: error,
                            events: events.map { ($0.name, Self.date($0.nanosecondsSinceEpoch), Self.values($0.attributes)) })
        }
        if let finished { exporter.record(finished) }
    }

    private static func date(_ nanoseconds: UInt64) -> Date { Date(timeIntervalSince1970: Double(nanoseconds) / 1e9) }

    private static func values(_ attributes: SpanAttributes) -> [(String, TelemetryValue)] {
        var values: [(String, TelemetryValue)] = []
        attributes.forEach { key, value in
            let converted: TelemetryValue? = switch value {
            case .int32(let number): .int(Int64(number))
            case .int64(let number): .int(number)
            case .double(let number): .double(number)
            case .bool(let flag): .bool(flag)
            case .string(let text): .string(text)
            case .stringConvertible(let text): .string(text.description)
            default: nil
            }
            if let converted { values.append((key, converted)) }
        }
        return values.sorted { $0.0 < $1.0 }
    }
}
