import ArgumentParser
import FloeContract
import FloeCore
import Foundation

/// One event of a run's log, written as a text line (`<time> <level> <event> key=value …`) or,
/// with `--log-format json`, as one JSON object shaped like dbt's structured logs
/// (`{"info": {"name", "level", "ts", "msg", "invocation_id", "pid", "thread"}, "data": {…}}`), so
/// log tools that read dbt's JSON logs read floe's.
struct LogEvent {
    /// dbt's levels: debug, info, warn, error.
    var level: String
    /// The text log's event name (`node_finished`); the JSON log names it in dbt's style (`NodeFinished`).
    var event: String
    /// What a person reads.
    var message: String
    var fields: [(String, String?)]
    /// dbt's `data.node_info`, for events about a node.
    var node: [String: JSONDocument]?

    /// The invocation the events belong to, and the trace they are part of, when known.
    struct Context {
        var invocationID: String?
        var traceID: String?
        var spanID: String?
    }

    /// `<time> <level> <event> key=value …`, values quoted when they hold spaces.
    func textLine(at time: Date) -> String {
        let parts = fields.compactMap { key, value in value.map { "\(key)=\(Self.quoted($0))" } }
        return ([Timestamp.string(time), level, event] + parts).joined(separator: " ")
    }

    func jsonLine(at time: Date, context: Context) -> String {
        var info: [String: JSONDocument] = [
            "name": .string(Self.jsonName(event)), "level": .string(level), "ts": .string(Timestamp.string(time)), "msg": .string(message),
            "pid": .integer(Int(ProcessInfo.processInfo.processIdentifier)), "thread": .string(Thread.current.name ?? "main"),
            "category": "", "code": "", "extra": [:],
        ]
        if let id = context.invocationID { info["invocation_id"] = .string(id) }
        if let trace = context.traceID { info["trace_id"] = .string(trace) }
        if let span = context.spanID { info["span_id"] = .string(span) }
        var data: [String: JSONDocument] = [:]
        for (key, value) in fields { if let value { data[key] = .string(value) } }
        if let node { data["node_info"] = .object(node) }
        let document: JSONDocument = ["info": .object(info), "data": .object(data)]
        return String(decoding: document.compactData(), as: UTF8.self)
    }

    /// `node_finished` → `NodeFinished`.
    static func jsonName(_ event: String) -> String {
        event.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        return "\"\(escaped)\""
    }
}

/// How the run's log and stderr are written: `--log-format`.
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json
}
