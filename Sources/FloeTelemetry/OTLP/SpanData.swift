import Foundation

/// A value of an attribute, as OTLP's AnyValue carries it.
public enum TelemetryValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
}

/// Ids as W3C Trace Context and OTLP write them: 16 bytes for a trace, 8 for a span.
public struct TraceIdentity: Sendable, Equatable, Hashable {
    public var traceID: [UInt8]
    public var spanID: [UInt8]

    public init(traceID: [UInt8], spanID: [UInt8]) {
        self.traceID = traceID
        self.spanID = spanID
    }

    /// A new trace with its root span.
    public static func newTrace() -> TraceIdentity {
        TraceIdentity(traceID: randomBytes(16), spanID: randomBytes(8))
    }

    /// A new span of the same trace.
    public func child() -> TraceIdentity {
        TraceIdentity(traceID: traceID, spanID: Self.randomBytes(8))
    }

    public var traceHex: String { traceID.map { String(format: "%02x", $0) }.joined() }
    public var spanHex: String { spanID.map { String(format: "%02x", $0) }.joined() }

    /// `00-<trace>-<span>-01`, W3C's traceparent for a sampled span.
    public var traceparent: String { "00-\(traceHex)-\(spanHex)-01" }

    /// The trace and parent span a `traceparent` header names; nil when it is not one (version
    /// 00's layout, non-zero ids, lower-case hex).
    public init?(traceparent: String) {
        let parts = traceparent.trimmingCharacters(in: .whitespaces).split(separator: "-").map(String.init)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              let trace = Self.bytes(hex: parts[1]), let span = Self.bytes(hex: parts[2]),
              trace.contains(where: { $0 != 0 }), span.contains(where: { $0 != 0 }) else { return nil }
        traceID = trace
        spanID = span
    }

    private static func bytes(hex: String) -> [UInt8]? {
        guard hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            result.append(byte)
            index = next
        }
        return result
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        if bytes.allSatisfy({ $0 == 0 }) { bytes[count - 1] = 1 }
        return bytes
    }
}

/// A finished span, ready to export.
public struct SpanData: Sendable {
    public enum Kind: Int, Sendable {
        case `internal` = 1, server = 2, client = 3
    }

    public var identity: TraceIdentity
    public var parentSpanID: [UInt8]?
    public var name: String
    public var kind: Kind
    public var start: Date
    public var end: Date
    public var attributes: [(String, TelemetryValue)]
    /// The error's message when the span failed (status ERROR); nil is status UNSET.
    public var error: String?
    /// Events: an exception's, or a note at a point in time.
    public var events: [(name: String, time: Date, attributes: [(String, TelemetryValue)])]

    public init(identity: TraceIdentity, parentSpanID: [UInt8]?, name: String, kind: Kind = .internal, start: Date, end: Date,
                attributes: [(String, TelemetryValue)] = [], error: String? = nil,
                events: [(name: String, time: Date, attributes: [(String, TelemetryValue)])] = []) {
        self.identity = identity
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.start = start
        self.end = end
        self.attributes = attributes
        self.error = error
        self.events = events
    }
}
