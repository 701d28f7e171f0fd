import FloeConnect
import FloeContract
import FloeRuntime
import Foundation

/// `target/floe.log`: one line per event of every apply, appended, for people and log shippers.
/// Text lines by default; with `--log-format json`, dbt-shaped JSON objects (``LogEvent``), and
/// then the same objects on stderr too, instead of the progress lines. It holds what the terminal
/// shows and never a secret value (engine messages never carry one; plans hold none).
final class RunLog: ApplyObserver, @unchecked Sendable {
    private let handle: FileHandle?
    private let format: LogFormat
    /// Where JSON events go besides the file (stderr), when the format is JSON.
    private let mirror: Console?
    private let lock = NSLock()
    private var context = LogEvent.Context()

    /// Opens (or creates) `path` for appending; a log that cannot be opened is skipped, not fatal.
    init(path: String, format: LogFormat = .text, mirror: Console? = nil) {
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        self.format = format
        self.mirror = format == .json ? mirror : nil
    }

    deinit {
        try? handle?.close()
    }

    /// The trace the run's events belong to (when traces are sent).
    func setTrace(_ traceID: String?, span: String?) {
        lock.withLock {
            context.traceID = traceID
            context.spanID = span
        }
    }

    func write(_ level: String, _ event: String, _ fields: [(String, String?)], message: String? = nil, node: [String: JSONDocument]? = nil) {
        write(LogEvent(level: level, event: event, message: message ?? Self.message(event, fields), fields: fields, node: node))
    }

    func write(_ event: LogEvent) {
        let now = Date()
        lock.lock()
        defer { lock.unlock() }
        let line = format == .json ? event.jsonLine(at: now, context: context) : event.textLine(at: now)
        try? handle?.write(contentsOf: Data((line + "\n").utf8))
        mirror?.line(line)
    }

    func runStarting(runID: String, command: String, at start: Date, nominalStart: Date?) {
        lock.withLock { context.invocationID = runID }
    }

    func began(_ description: String) { write("info", "run_started", [("what", description)], message: "floe: \(description)") }

    func started(_ name: String, id: String, type: NodeResult.ResourceType, index: Int, total: Int) {
        write("debug", "node_started", [("node", name), ("type", type.rawValue), ("index", "\(index)/\(total)")],
              message: "\(index) of \(total) START \(type.rawValue) \(name)",
              node: ["unique_id": .string(id), "node_name": .string(name), "resource_type": .string(type.rawValue), "node_status": "started"])
    }

    func finished(_ result: NodeResult, index: Int, total: Int) {
        let level = [.error, .fail, .cancelled].contains(result.status) ? "error" : result.status == .warn ? "warn" : "info"
        var node: [String: JSONDocument] = [
            "unique_id": .string(result.uniqueID), "node_name": .string(result.name), "resource_type": .string(result.resourceType.rawValue),
            "node_status": .string(result.status.rawValue),
        ]
        if let materialized = result.materialized { node["materialized"] = .string(materialized) }
        if let path = result.path { node["node_path"] = .string(path) }
        if let relation = result.relation { node["relation_name"] = .string(relation) }
        if let started = result.startedAt { node["node_started_at"] = .string(started) }
        if let completed = result.timing.last?.completedAt { node["node_finished_at"] = .string(completed) }
        let seconds = String(format: "%.3f", result.executionTime)
        write("\(level)", "node_finished", [
            ("node", result.uniqueID), ("status", result.status.rawValue), ("seconds", seconds),
            ("rows", result.rowsAffected.map(String.init)), ("failures", result.failures.map(String.init)),
            ("path", result.path), ("message", result.message),
        ], message: "\(index) of \(total) \(RunReporter.word(result.status)) \(result.resourceType.rawValue) \(result.name)"
            + (result.message.flatMap { $0.lowercased() == RunReporter.word(result.status).lowercased() ? nil : " (\($0))" } ?? "")
            + " in \(seconds)s", node: node)
    }

    func warned(_ message: String) { write("warn", "warning", [("message", message)], message: "warning: \(message)") }

    func finishedRun(_ results: RunResults) {
        let counts = results.counts
        write(results.success ? "info" : "error", "run_finished", [
            ("invocation_id", results.metadata.invocationID), ("command", results.metadata.command),
            ("success", "\(results.success)"), ("cancelled_by", results.cancelledBy),
            ("built", "\(counts.built)"), ("up_to_date", "\(counts.upToDate)"), ("errors", "\(counts.errors)"),
            ("skipped", "\(counts.skipped)"), ("passed", "\(counts.passed)"), ("warned", "\(counts.warned)"),
            ("failed", "\(counts.failed)"), ("seconds", String(format: "%.3f", results.elapsedTime)),
        ], message: RunReporter.summary(results).split(separator: "\n").first.map(String.init))
    }

    /// A message for an event that brings none: its fields.
    private static func message(_ event: String, _ fields: [(String, String?)]) -> String {
        fields.first { $0.0 == "message" }?.1 ?? ([event] + fields.compactMap { key, value in value.map { "\(key)=\($0)" } }).joined(separator: " ")
    }
}

/// Tells each of its observers everything, in order.
final class ObserverGroup: ApplyObserver, @unchecked Sendable {
    let observers: [any ApplyObserver]

    init(_ observers: [any ApplyObserver]) {
        self.observers = observers
    }

    func began(_ description: String) { for observer in observers { observer.began(description) } }
    func started(_ name: String, id: String, type: NodeResult.ResourceType, index: Int, total: Int) {
        for observer in observers { observer.started(name, id: id, type: type, index: index, total: total) }
    }
    func finished(_ result: NodeResult, index: Int, total: Int) {
        for observer in observers { observer.finished(result, index: index, total: total) }
    }
    func warned(_ message: String) { for observer in observers { observer.warned(message) } }
    func runStarting(runID: String, command: String, at start: Date, nominalStart: Date?) {
        for observer in observers { observer.runStarting(runID: runID, command: command, at: start, nominalStart: nominalStart) }
    }
    func runEnded(_ results: RunResults) { for observer in observers { observer.runEnded(results) } }
    func runRefused(_ error: ExecutorError) { for observer in observers { observer.runRefused(error) } }
    func phase(_ name: String, began: Bool) { for observer in observers { observer.phase(name, began: began) } }
}
